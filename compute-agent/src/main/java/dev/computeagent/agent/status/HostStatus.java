package dev.computeagent.agent.status;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.agent.message.InstanceState;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code GET /v1/status} and of the {@code host.status} event (the REST contract and the AsyncAPI {@code hostStatus} message; docs/architecture.md, "Contracts").
 * Field names are the wire contract. Values the agent cannot know right now (e.g. the hypervisor
 * version while libvirt is down and was never reached) are {@code null}, never invented.
 *
 * @param host         {@code agent.host}
 * @param agentVersion the agent's build version
 * @param hypervisor   the hypervisor connection
 * @param broker       the RabbitMQ connection
 * @param resources    capacity and what the agent's instances use of it
 * @param instances    instance counts
 * @param imageCache   size of the base-image cache
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record HostStatus(
        @JsonProperty("host") String host,
        @JsonProperty("agent_version") String agentVersion,
        @JsonProperty("hypervisor") Hypervisor hypervisor,
        @JsonProperty("broker") Broker broker,
        @JsonProperty("resources") Resources resources,
        @JsonProperty("instances") Instances instances,
        @JsonProperty("image_cache") ImageCacheSummary imageCache) {

    public HostStatus {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(hypervisor, "hypervisor");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(instances, "instances");
        Objects.requireNonNull(imageCache, "imageCache");
    }

    /**
     * @param uri       the libvirt connection URI
     * @param type      hypervisor type as libvirt reports it (e.g. {@code QEMU}); null if never reached
     * @param version   hypervisor version (e.g. {@code 7.2.0}); null if never reached
     * @param connected whether the connection is up now
     * @param virtType  extension: the domain type in use, {@code kvm} or {@code qemu}; null if never reached
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Hypervisor(
            @JsonProperty("uri") String uri,
            @JsonProperty("type") @Nullable String type,
            @JsonProperty("version") @Nullable String version,
            @JsonProperty("connected") boolean connected,
            @JsonProperty("virt_type") @Nullable String virtType) {
    }

    /** @param connected whether the agent's broker connection is up now */
    public record Broker(@JsonProperty("connected") boolean connected) {
    }

    /**
     * CPU and memory: host capacity and the sum of the flavors of the agent's instances.
     * Disk: size and used space of the file system holding {@code agent.state-dir}.
     */
    public record Resources(
            @JsonProperty("vcpus") int vcpus,
            @JsonProperty("vcpus_used") int vcpusUsed,
            @JsonProperty("memory_mb") long memoryMb,
            @JsonProperty("memory_mb_used") long memoryMbUsed,
            @JsonProperty("disk_gb") long diskGb,
            @JsonProperty("disk_gb_used") long diskGbUsed) {
    }

    /**
     * The number of owned instances, in total and per {@link InstanceState}: every state is a field of its
     * own on the wire (0 when none is in it), so a new state appears without touching this record.
     */
    public record Instances(@JsonProperty("total") long total, @JsonIgnore Map<InstanceState, Long> byState) {

        public Instances {
            byState = Map.copyOf(byState);
        }

        /** Counts from a per-state map; missing states count 0, total is the sum. */
        public static Instances of(Map<InstanceState, Long> counts) {
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            Map<InstanceState, Long> all = new EnumMap<>(InstanceState.class);
            for (InstanceState state : InstanceState.values()) {
                all.put(state, counts.getOrDefault(state, 0L));
            }
            return new Instances(total, all);
        }

        /** The count of instances in {@code state}. */
        public long count(InstanceState state) {
            return byState.getOrDefault(state, 0L);
        }

        /** The per-state fields, in the states' order. */
        @JsonAnyGetter
        Map<String, Long> wireCounts() {
            Map<String, Long> wire = new LinkedHashMap<>();
            for (InstanceState state : InstanceState.values()) {
                wire.put(state.name(), count(state));
            }
            return wire;
        }
    }

    /**
     * @param images cached base images
     * @param bytes  bytes they occupy
     */
    public record ImageCacheSummary(@JsonProperty("images") long images, @JsonProperty("bytes") long bytes) {
    }
}

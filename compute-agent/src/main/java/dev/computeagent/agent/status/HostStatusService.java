package dev.computeagent.agent.status;

import dev.computeagent.agent.config.AgentProperties;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.InstanceViews;
import dev.computeagent.image.CacheStatistics;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HostResources;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Service;

/**
 * Builds the host's {@link HostStatus} from the driver, the image cache, the instance directory and
 * the broker connection. {@link #current()} never throws and never waits on the network: a
 * disconnected hypervisor is reported as such with the last capacity seen (or zeros before the
 * first contact), a broken cache as an empty one. Collaborators are looked up lazily so the
 * service also works in a context that lacks some of them (they then count as absent/down).
 */
@Service
public class HostStatusService {

    private static final Logger log = LoggerFactory.getLogger(HostStatusService.class);

    private final AgentProperties properties;
    private final ObjectProvider<ComputeDriver> driver;
    private final ObjectProvider<ImageCache> imageCache;
    private final ObjectProvider<InstanceViews> instances;
    private final BrokerConnectivity broker;
    private final String agentVersion;
    private final AtomicReference<@Nullable HostResources> lastResources = new AtomicReference<>();

    public HostStatusService(AgentProperties properties, ObjectProvider<ComputeDriver> driver,
                             ObjectProvider<ImageCache> imageCache, ObjectProvider<InstanceViews> instances,
                             BrokerConnectivity broker, ObjectProvider<BuildProperties> buildProperties) {
        this.properties = properties;
        this.driver = driver;
        this.imageCache = imageCache;
        this.instances = instances;
        this.broker = broker;
        this.agentVersion = agentVersion(buildProperties.getIfAvailable());
    }

    /** The status now. Never throws. */
    public HostStatus current() {
        List<InstanceView> owned = ownedInstances();
        HostResources resources = hostResources();
        boolean hypervisorConnected = hypervisorConnected();
        long[] disk = DiskCapacity.of(properties.stateDir());
        HostStatus.Hypervisor hypervisor = new HostStatus.Hypervisor(
                RedactedUri.of(resources == null ? properties.libvirt().uri() : resources.uri()),
                resources == null ? null : resources.hypervisorType(),
                resources == null ? null : resources.hypervisorVersion(),
                hypervisorConnected,
                resources == null ? null : resources.virtType());
        HostStatus.Resources capacity = new HostStatus.Resources(
                resources == null ? 0 : resources.vcpus(),
                owned.stream().map(InstanceView::flavor).filter(f -> f != null).mapToInt(Flavor::vcpus).sum(),
                resources == null ? 0 : resources.memoryMb(),
                owned.stream().map(InstanceView::flavor).filter(f -> f != null).mapToLong(Flavor::memoryMb).sum(),
                disk[0], disk[1]);
        return new HostStatus(properties.host(), agentVersion, hypervisor,
                new HostStatus.Broker(broker.isConnected()), capacity, HostStatus.Instances.of(countByState(owned)),
                cacheSummary());
    }

    /** Owned instances per state (every state present, possibly 0). Never throws. */
    public Map<InstanceState, Long> countByState() {
        return countByState(ownedInstances());
    }

    private static Map<InstanceState, Long> countByState(List<InstanceView> owned) {
        Map<InstanceState, Long> counts = new EnumMap<>(InstanceState.class);
        for (InstanceState state : InstanceState.values()) {
            counts.put(state, 0L);
        }
        owned.stream().filter(v -> v.state() != null).forEach(v -> counts.merge(v.state(), 1L, Long::sum));
        return counts;
    }

    private List<InstanceView> ownedInstances() {
        InstanceViews directory = instances.getIfAvailable();
        if (directory == null) {
            return List.of();
        }
        try {
            return directory.all();
        } catch (RuntimeException e) {
            log.warn("Instance directory unavailable for status: {}", e.toString());
            return List.of();
        }
    }

    private boolean hypervisorConnected() {
        ComputeDriver current = driver.getIfAvailable();
        return current != null && current.isConnected();
    }

    /** The driver's host resources, or the last ones seen while it is unreachable. */
    private @Nullable HostResources hostResources() {
        ComputeDriver current = driver.getIfAvailable();
        if (current != null && current.isConnected()) {
            try {
                lastResources.set(current.hostResources());
            } catch (RuntimeException e) {
                log.debug("Host resources unavailable: {}", e.toString());
            }
        }
        return lastResources.get();
    }

    private HostStatus.ImageCacheSummary cacheSummary() {
        ImageCache cache = imageCache.getIfAvailable();
        if (cache == null) {
            return new HostStatus.ImageCacheSummary(0, 0);
        }
        try {
            CacheStatistics statistics = cache.statistics();
            return new HostStatus.ImageCacheSummary(statistics.images(), statistics.bytes());
        } catch (RuntimeException e) {
            log.warn("Image cache statistics unavailable: {}", e.toString());
            return new HostStatus.ImageCacheSummary(0, 0);
        }
    }

    private static String agentVersion(@Nullable BuildProperties build) {
        if (build != null && build.getVersion() != null) {
            return build.getVersion();
        }
        String manifest = HostStatusService.class.getPackage().getImplementationVersion();
        return manifest == null ? "unknown" : manifest;
    }
}

package dev.computeagent.virt;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A snapshot of one instance as the hypervisor sees it.
 *
 * @param uuid       the instance
 * @param powerState its power state
 * @param cpuTimeNs  CPU time consumed since the last boot, nanoseconds
 * @param memoryKb   memory currently assigned, KiB
 * @param vcpus      virtual CPUs
 * @param metadata   what the agent stored with the instance
 */
public record InstanceInfo(UUID uuid, PowerState powerState, long cpuTimeNs, long memoryKb, int vcpus,
                           InstanceMetadata metadata) {

    public InstanceInfo {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(powerState, "powerState");
        Objects.requireNonNull(metadata, "metadata");
    }

    /** This snapshot with its metadata's annotations replaced (as after {@code updateAnnotations}). */
    /** This instance as it is once its power state became {@code state} (the rest as read). */
    public InstanceInfo withPowerState(PowerState state) {
        return new InstanceInfo(uuid, state, cpuTimeNs, memoryKb, vcpus, metadata);
    }

    public InstanceInfo withAnnotations(Map<String, String> annotations) {
        return new InstanceInfo(uuid, powerState, cpuTimeNs, memoryKb, vcpus, metadata.withAnnotations(annotations));
    }
}

package dev.computeagent.virt.network;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A host network as the hypervisor has it now.
 *
 * @param definition what it was ensured as
 * @param active     whether it runs (guests can be plugged into it)
 * @param bridge     the Linux bridge guests are plugged into, when the hypervisor says
 * @param instances  the instances (any domain of the hypervisor, the agent's or not) with a NIC on it
 */
public record NetworkStatus(NetworkDefinition definition, boolean active, Optional<String> bridge,
                            List<UUID> instances) {

    public NetworkStatus {
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(bridge, "bridge");
        instances = List.copyOf(instances);
    }
}

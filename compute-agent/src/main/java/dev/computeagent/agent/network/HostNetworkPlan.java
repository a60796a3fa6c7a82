package dev.computeagent.agent.network;

import dev.computeagent.virt.network.NetworkDefinition;
import dev.computeagent.virt.network.NetworkMode;
import java.util.Objects;
import java.util.Optional;

/**
 * What the agent makes of one configured network: the network and, for a bridge network, the VLAN sub-interface
 * that joins its bridge; or, with no definition, a network of the agent's to remove.
 *
 * @param name       the network's name
 * @param definition the network to ensure; empty = remove the agent's network of this name (when unused)
 * @param vlan       for a bridge network, the VLAN sub-interface joined to its bridge
 */
public record HostNetworkPlan(String name, Optional<NetworkDefinition> definition, Optional<VlanLink> vlan) {

    public HostNetworkPlan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(vlan, "vlan");
        if (vlan.isPresent() && definition.map(d -> d.mode() != NetworkMode.BRIDGE).orElse(true)) {
            throw new IllegalArgumentException("only a bridge network takes a VLAN");
        }
    }

    public static HostNetworkPlan ensure(NetworkDefinition definition, Optional<VlanLink> vlan) {
        return new HostNetworkPlan(definition.name(), Optional.of(definition), vlan);
    }

    public static HostNetworkPlan absent(String name) {
        return new HostNetworkPlan(NetworkDefinition.checkName(name), Optional.empty(), Optional.empty());
    }
}

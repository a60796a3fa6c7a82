package dev.computeagent.virt.migration;

import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.NicSpec;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What the destination of a cold migration needs to define an instance itself, with its own paths:
 * the agent's metadata and the NICs, typed. It carries no host path and no hypervisor document, so
 * nothing the source sends can name a host file or a device the destination did not choose.
 *
 * @param uuid     the instance
 * @param metadata what the agent stored with the instance (owner, annotations included)
 * @param nics     the network interfaces, in order
 */
public record PortableInstance(UUID uuid, InstanceMetadata metadata, List<NicSpec> nics) {

    public PortableInstance {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(metadata, "metadata");
        nics = List.copyOf(nics);
    }
}

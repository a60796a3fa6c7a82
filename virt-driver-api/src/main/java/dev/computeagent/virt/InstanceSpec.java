package dev.computeagent.virt;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything a driver needs to create an instance.
 *
 * @param uuid       the instance's identity; the hypervisor-side name is derived from it
 * @param metadata   what the agent stores with the instance
 * @param disks      prepared disks, the first is the boot disk; at least one
 * @param nics       network interfaces, possibly none
 * @param consoleLog file that receives the guest's serial console (its directory must exist)
 * @param vnc        whether to expose a VNC console (on 127.0.0.1 only)
 * @param guestAgent whether the guest runs a QEMU guest agent (the image says so): the instance gets
 *                   its channel, and graceful stops and reboots ask it before ACPI
 * @param securityGroups whether its NICs (but {@link NicSpec.Type#USER} ones) are filtered by the instance's
 *                   security groups ({@link dev.computeagent.virt.network.SecurityGroupDriver}, applied first)
 */
public record InstanceSpec(UUID uuid, InstanceMetadata metadata, List<DiskSpec> disks, List<NicSpec> nics,
                           Path consoleLog, boolean vnc, boolean guestAgent, boolean securityGroups) {

    public InstanceSpec {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(metadata, "metadata");
        disks = List.copyOf(disks);
        if (disks.isEmpty()) {
            throw new IllegalArgumentException("an instance needs at least one disk");
        }
        nics = List.copyOf(nics);
        Objects.requireNonNull(consoleLog, "consoleLog");
        if (!consoleLog.isAbsolute()) {
            throw new IllegalArgumentException("console log path must be absolute: " + consoleLog);
        }
    }

    /** An instance whose NICs are not filtered. */
    public InstanceSpec(UUID uuid, InstanceMetadata metadata, List<DiskSpec> disks, List<NicSpec> nics,
                        Path consoleLog, boolean vnc, boolean guestAgent) {
        this(uuid, metadata, disks, nics, consoleLog, vnc, guestAgent, false);
    }

    /** An instance without a guest agent channel. */
    public InstanceSpec(UUID uuid, InstanceMetadata metadata, List<DiskSpec> disks, List<NicSpec> nics,
                        Path consoleLog, boolean vnc) {
        this(uuid, metadata, disks, nics, consoleLog, vnc, false);
    }

    /** This spec with its NICs filtered by the instance's security groups. */
    public InstanceSpec withSecurityGroups() {
        return new InstanceSpec(uuid, metadata, disks, nics, consoleLog, vnc, guestAgent, true);
    }

    public Flavor flavor() {
        return metadata.flavor();
    }
}

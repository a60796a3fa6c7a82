package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.domain.Channel;
import dev.computeagent.virt.libvirt.domain.CharLog;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import dev.computeagent.virt.libvirt.domain.Serial;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a domain the agent defined back into what its spec said, so it can be rendered again as a spawn
 * renders it (a resize) or handed to another host (a cold migration): the agent's metadata, the NICs with
 * their MAC addresses and whether they are filtered by security groups, the console log, the guest-agent
 * channel, VNC.
 */
public final class DefinedInstance {

    private DefinedInstance() {
    }

    /** The NICs of {@code domain}, in order, with the MAC addresses libvirt knows. */
    public static List<NicSpec> nics(Domain domain) {
        return domain.devices().interfaces().stream().map(DefinedInstance::nic).toList();
    }

    /**
     * The spec that renders {@code domain} again with {@code flavor}, {@code disks}, {@code annotations} and,
     * when given, {@code imageId} instead of its own.
     *
     * @throws InstanceNotFoundException the domain carries no agent metadata
     * @throws InvalidSpecException      it has no serial console log (the agent always gives it one)
     */
    static InstanceSpec respec(Domain domain, Flavor flavor, Optional<String> imageId, List<DiskSpec> disks,
                               Map<String, String> annotations) {
        InstanceMetadata current = domain.agentMetadata()
                .orElseThrow(() -> new InstanceNotFoundException("no instance " + domain.uuid()));
        InstanceMetadata metadata = new InstanceMetadata(current.name(), flavor, imageId.orElse(current.imageId()),
                current.ownerHost(),
                current.userMetadata(), annotations);
        Path consoleLog = domain.devices().serials().stream().map(Serial::log).flatMap(Optional::stream)
                .map(CharLog::file).findFirst()
                .orElseThrow(() -> new InvalidSpecException("domain of " + domain.uuid() + " has no console log"));
        boolean guestAgent = domain.devices().channels().stream()
                .anyMatch(c -> Channel.QEMU_GUEST_AGENT.equals(c.targetName()));
        boolean securityGroups = domain.devices().interfaces().stream().anyMatch(nic -> nic.filter().isPresent());
        return new InstanceSpec(domain.uuid(), metadata, disks, nics(domain), consoleLog,
                !domain.devices().graphics().isEmpty(), guestAgent, securityGroups);
    }

    private static NicSpec nic(NetInterface nic) {
        NicSpec.Type type = switch (nic.type()) {
            case NETWORK -> NicSpec.Type.NETWORK;
            case BRIDGE -> NicSpec.Type.BRIDGE;
            case USER -> NicSpec.Type.USER;
        };
        return new NicSpec(type, nic.source(), nic.mac(), nic.model().orElse("virtio"));
    }
}

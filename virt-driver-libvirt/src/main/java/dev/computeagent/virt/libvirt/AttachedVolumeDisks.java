package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.libvirt.domain.Devices;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.NetworkDisk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Carries the volumes attached to a domain ({@link LibvirtDeviceDriver#attachVolume}) into a definition
 * rendered again from a spec ({@link SpawnOperation#redefine}), which knows the agent's own disks only. A
 * volume is a disk the caller did not prepare: a network disk, or a file or block device outside the
 * instance's directory (where the caller keeps every disk it prepares, beside the console log).
 */
final class AttachedVolumeDisks {

    private AttachedVolumeDisks() {
    }

    /**
     * {@code designed} with the volumes of {@code current} added after its own disks, on their devices.
     *
     * @throws InvalidSpecException a disk of {@code designed} takes the device of a volume
     */
    static Domain keep(Domain current, Domain designed, Path instanceDirectory) {
        List<Disk> volumes = current.devices().disks().stream()
                .filter(d -> !d.source().toAbsolutePath().normalize().startsWith(instanceDirectory.normalize()))
                .toList();
        List<NetworkDisk> networkVolumes = current.devices().networkDisks();
        if (volumes.isEmpty() && networkVolumes.isEmpty()) {
            return designed;
        }
        Devices own = designed.devices();
        Set<String> taken = new HashSet<>();
        own.disks().forEach(d -> taken.add(d.targetDev()));
        own.networkDisks().forEach(d -> taken.add(d.targetDev()));
        List<String> clashes = new ArrayList<>();
        volumes.stream().map(Disk::targetDev).filter(taken::contains).forEach(clashes::add);
        networkVolumes.stream().map(NetworkDisk::targetDev).filter(taken::contains).forEach(clashes::add);
        if (!clashes.isEmpty()) {
            throw new InvalidSpecException("instance " + current.uuid() + " has volumes attached on " + clashes
                    + ", which its new definition gives to its own disks");
        }
        List<Disk> disks = new ArrayList<>(own.disks());
        disks.addAll(volumes);
        List<NetworkDisk> networkDisks = new ArrayList<>(own.networkDisks());
        networkDisks.addAll(networkVolumes);
        Devices devices = new Devices(own.emulator(), disks, own.interfaces(), own.serials(), own.consoles(),
                own.channels(), own.graphics(), own.memBalloon(), own.rngs(), networkDisks);
        return new Domain(designed.type(), designed.name(), designed.uuid(), designed.memoryKib(), designed.vcpus(),
                designed.os(), designed.features(), designed.cpu(), designed.clock(), designed.lifecycle(), devices,
                designed.agentMetadata());
    }
}

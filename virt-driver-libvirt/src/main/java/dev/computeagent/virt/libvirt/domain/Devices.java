package dev.computeagent.virt.libvirt.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code <devices>} the model knows; libvirt's own additions (controllers, inputs, video...)
 * are ignored on parse.
 *
 * @param emulator     the emulator binary; absent = libvirt chooses
 * @param networkDisks the disks QEMU reaches over the network (attached volumes), after {@code disks}
 * @param pcieRootPorts how many {@code <controller type='pci' model='pcie-root-port'/>} (q35: each takes one
 *                      hot-plugged PCIe device; libvirt places them and numbers their indexes)
 */
public record Devices(Optional<String> emulator, List<Disk> disks, List<NetInterface> interfaces,
                      List<Serial> serials, List<Console> consoles, List<Channel> channels, List<Graphics> graphics,
                      Optional<MemBalloon> memBalloon, List<Rng> rngs, List<NetworkDisk> networkDisks,
                      int pcieRootPorts) {

    /** Devices without PCIe root ports. */
    public Devices(Optional<String> emulator, List<Disk> disks, List<NetInterface> interfaces,
                   List<Serial> serials, List<Console> consoles, List<Channel> channels, List<Graphics> graphics,
                   Optional<MemBalloon> memBalloon, List<Rng> rngs, List<NetworkDisk> networkDisks) {
        this(emulator, disks, interfaces, serials, consoles, channels, graphics, memBalloon, rngs, networkDisks, 0);
    }

    /** Devices without network disks. */
    public Devices(Optional<String> emulator, List<Disk> disks, List<NetInterface> interfaces,
                   List<Serial> serials, List<Console> consoles, List<Channel> channels, List<Graphics> graphics,
                   Optional<MemBalloon> memBalloon, List<Rng> rngs) {
        this(emulator, disks, interfaces, serials, consoles, channels, graphics, memBalloon, rngs, List.of());
    }

    public Devices {
        Objects.requireNonNull(emulator, "emulator");
        disks = List.copyOf(disks);
        interfaces = List.copyOf(interfaces);
        serials = List.copyOf(serials);
        consoles = List.copyOf(consoles);
        channels = List.copyOf(channels);
        graphics = List.copyOf(graphics);
        Objects.requireNonNull(memBalloon, "memBalloon");
        rngs = List.copyOf(rngs);
        networkDisks = List.copyOf(networkDisks);
        if (pcieRootPorts < 0) {
            throw new IllegalArgumentException("pcieRootPorts must not be negative: " + pcieRootPorts);
        }
    }
}

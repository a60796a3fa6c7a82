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
 */
public record Devices(Optional<String> emulator, List<Disk> disks, List<NetInterface> interfaces,
                      List<Serial> serials, List<Console> consoles, List<Channel> channels, List<Graphics> graphics,
                      Optional<MemBalloon> memBalloon, List<Rng> rngs, List<NetworkDisk> networkDisks) {

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
    }
}

package dev.computeagent.virt.libvirt.domain;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code <disk>} backed by a host file or block device, opened by QEMU's own block layer.
 *
 * @param sourceType whether {@code source} is a file or a block device
 * @param device     how the guest sees it
 * @param source     the host path
 * @param format     the image format
 * @param cache      the host cache mode; absent = the hypervisor's default
 * @param io         the host I/O mechanism; absent = the hypervisor's default
 * @param targetDev  the guest device name, e.g. {@code vda}
 * @param bus        the bus the guest sees it on
 * @param readOnly   whether the guest may only read it
 */
public record Disk(DiskSourceType sourceType, DiskDevice device, Path source, DiskFormat format,
                   Optional<DiskCache> cache, Optional<DiskIo> io, String targetDev, DiskBus bus,
                   boolean readOnly) {

    public Disk {
        Objects.requireNonNull(sourceType, "sourceType");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(targetDev, "targetDev");
        Objects.requireNonNull(bus, "bus");
    }
}

package dev.computeagent.virt;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A disk prepared by the caller and attached to the instance.
 *
 * @param path      absolute path of the image file; must exist when the instance is spawned
 * @param format    the file's format
 * @param bus       the bus the guest sees it on
 * @param cacheMode the host cache mode; a driver may fall back to {@link CacheMode#WRITETHROUGH}
 *                  when the file system refuses O_DIRECT (which {@link CacheMode#NONE} needs)
 * @param device    the guest device name, e.g. {@code vda}
 * @param media     a writable disk, or a read-only CD-ROM (which a block migration does not copy: the
 *                  destination must have the same file before the move)
 */
public record DiskSpec(Path path, Format format, Bus bus, CacheMode cacheMode, String device, Media media) {

    /** How the guest sees the file. */
    public enum Media { DISK, CDROM }

    /** Image file formats a driver accepts. */
    public enum Format { RAW, QCOW2 }

    /** Disk buses. */
    public enum Bus { VIRTIO, SCSI, SATA, IDE }

    /** Host page-cache modes, as libvirt names them. */
    public enum CacheMode { NONE, WRITEBACK, WRITETHROUGH, UNSAFE, DIRECTSYNC }

    public DiskSpec {
        Objects.requireNonNull(path, "path");
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("disk path must be absolute: " + path);
        }
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(bus, "bus");
        Objects.requireNonNull(cacheMode, "cacheMode");
        if (!device.matches("[a-z]{2,3}[a-z]{1,2}")) {
            throw new IllegalArgumentException("invalid device name: " + device);
        }
        Objects.requireNonNull(media, "media");
    }

    /** A writable disk. */
    public DiskSpec(Path path, Format format, Bus bus, CacheMode cacheMode, String device) {
        this(path, format, bus, cacheMode, device, Media.DISK);
    }

    /** The usual root disk: a qcow2 overlay on virtio as {@code vda}, cache mode none. */
    public static DiskSpec qcow2Root(Path path) {
        return new DiskSpec(path, Format.QCOW2, Bus.VIRTIO, CacheMode.NONE, "vda");
    }

    /** An ephemeral disk: qcow2 on virtio as {@code vdb}, cache mode none. */
    public static DiskSpec qcow2Ephemeral(Path path) {
        return new DiskSpec(path, Format.QCOW2, Bus.VIRTIO, CacheMode.NONE, "vdb");
    }

    /**
     * A config drive: a raw ISO 9660 image as a read-only CD-ROM on IDE ({@code hdd}, the last IDE
     * device), as Nova attaches it on i440fx machines: every Linux kernel can read an IDE CD-ROM
     * ({@code ata_piix}), while Debian's cloud kernel has no AHCI driver and so never sees a SATA one.
     * A driver whose machine type has no IDE controller (q35) moves it to SATA.
     */
    public static DiskSpec configDrive(Path path) {
        return new DiskSpec(path, Format.RAW, Bus.IDE, CacheMode.NONE, "hdd", Media.CDROM);
    }
}

package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.DiskBus;
import dev.computeagent.virt.libvirt.domain.DiskCache;
import dev.computeagent.virt.libvirt.domain.DiskDevice;
import dev.computeagent.virt.libvirt.domain.DiskFormat;
import dev.computeagent.virt.libvirt.domain.DiskIo;
import dev.computeagent.virt.libvirt.domain.DiskSourceType;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The spec's disks, in order (the first boots); a CD-ROM is read-only. A machine type without an IDE
 * controller (q35) gets the CD-ROMs asked for on IDE on SATA instead ({@code hdd} becomes {@code sdd}),
 * as Nova does for config drives. Cache modes {@code none} and
 * {@code directsync} open the file with O_DIRECT; where the file system refuses it (tmpfs...) QEMU
 * would fail to start, so the disk falls back to {@code writethrough}, which keeps the same
 * durability guarantee through the page cache. O_DIRECT disks use native AIO, the others QEMU's default.
 */
final class DiskConfigurator implements DomainConfigurator {

    private final DirectIoProbe directIoProbe;
    private final boolean machineHasIde;

    DiskConfigurator(DirectIoProbe directIoProbe, String machineType) {
        this.directIoProbe = directIoProbe;
        this.machineHasIde = !machineType.contains("q35");
    }

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        Set<String> devices = new HashSet<>();
        for (DiskSpec disk : spec.disks()) {
            if (!devices.add(disk.device())) {
                throw new InvalidSpecException("two disks use the guest device " + disk.device());
            }
            DiskCache cache = effectiveCache(disk);
            boolean direct = cache == DiskCache.NONE || cache == DiskCache.DIRECTSYNC;
            boolean cdrom = disk.media() == DiskSpec.Media.CDROM;
            boolean moveToSata = cdrom && disk.bus() == DiskSpec.Bus.IDE && !machineHasIde;
            String device = moveToSata ? "sd" + disk.device().substring(2) : disk.device();
            if (moveToSata && !devices.add(device)) {
                throw new InvalidSpecException("two disks use the guest device " + device);
            }
            domain.disks.add(new Disk(DiskSourceType.FILE, cdrom ? DiskDevice.CDROM : DiskDevice.DISK, disk.path(),
                    format(disk.format()), Optional.of(cache), direct ? Optional.of(DiskIo.NATIVE) : Optional.empty(),
                    device, moveToSata ? DiskBus.SATA : bus(disk.bus()), cdrom));
        }
    }

    private DiskCache effectiveCache(DiskSpec disk) {
        DiskCache wanted = cache(disk.cacheMode());
        if (wanted != DiskCache.NONE && wanted != DiskCache.DIRECTSYNC) {
            return wanted;
        }
        Path directory = disk.path().getParent();
        return directory != null && directIoProbe.supportsDirectIo(directory) ? wanted : DiskCache.WRITETHROUGH;
    }

    private static DiskFormat format(DiskSpec.Format format) {
        return switch (format) {
            case RAW -> DiskFormat.RAW;
            case QCOW2 -> DiskFormat.QCOW2;
        };
    }

    private static DiskBus bus(DiskSpec.Bus bus) {
        return switch (bus) {
            case VIRTIO -> DiskBus.VIRTIO;
            case SCSI -> DiskBus.SCSI;
            case SATA -> DiskBus.SATA;
            case IDE -> DiskBus.IDE;
        };
    }

    private static DiskCache cache(DiskSpec.CacheMode mode) {
        return switch (mode) {
            case NONE -> DiskCache.NONE;
            case WRITEBACK -> DiskCache.WRITEBACK;
            case WRITETHROUGH -> DiskCache.WRITETHROUGH;
            case UNSAFE -> DiskCache.UNSAFE;
            case DIRECTSYNC -> DiskCache.DIRECTSYNC;
        };
    }
}

package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DiskConfiguratorTest {

    private static final Path DIR = SpecVariants.INSTANCE_DIR;

    @Test
    void disksKeepOrderFormatBusAndCacheModeWhereODirectWorks() {
        List<Path> probed = new ArrayList<>();
        DomainBuilder domain = new DomainBuilder();
        InstanceSpec spec = SpecVariants.spec(SpecVariants.metadata("d"), List.of(
                SpecVariants.disk(DiskSpec.Format.QCOW2, DiskSpec.CacheMode.NONE, "vda"),
                new DiskSpec(DIR.resolve("sdb"), DiskSpec.Format.RAW, DiskSpec.Bus.SATA, DiskSpec.CacheMode.WRITEBACK, "sdb")),
                List.of(), false);

        new DiskConfigurator(directory -> probed.add(directory), "pc").configure(spec, domain);

        assertThat(domain.disks).containsExactly(
                new Disk(DiskSourceType.FILE, DiskDevice.DISK, DIR.resolve("vda"), DiskFormat.QCOW2,
                        Optional.of(DiskCache.NONE), Optional.of(DiskIo.NATIVE), "vda", DiskBus.VIRTIO, false),
                new Disk(DiskSourceType.FILE, DiskDevice.DISK, DIR.resolve("sdb"), DiskFormat.RAW,
                        Optional.of(DiskCache.WRITEBACK), Optional.empty(), "sdb", DiskBus.SATA, false));
        assertThat(probed).as("only O_DIRECT modes need the probe").containsExactly(DIR);
    }

    @ParameterizedTest
    @EnumSource(value = DiskSpec.CacheMode.class, names = {"NONE", "DIRECTSYNC"})
    void directIoModesFallBackToWritethroughWhereTheFileSystemRefusesODirect(DiskSpec.CacheMode mode) {
        DomainBuilder domain = new DomainBuilder();
        InstanceSpec spec = SpecVariants.spec(SpecVariants.metadata("d"),
                List.of(SpecVariants.disk(DiskSpec.Format.RAW, mode, "vda")), List.of(), false);

        new DiskConfigurator(directory -> false, "pc").configure(spec, domain);

        assertThat(domain.disks).singleElement().satisfies(disk -> {
            assertThat(disk.cache()).contains(DiskCache.WRITETHROUGH);
            assertThat(disk.io()).isEmpty();
        });
    }

    @ParameterizedTest
    @EnumSource(value = DiskSpec.CacheMode.class, names = {"WRITEBACK", "WRITETHROUGH", "UNSAFE"})
    void pageCacheModesAreKeptWithoutProbing(DiskSpec.CacheMode mode) {
        DomainBuilder domain = new DomainBuilder();
        InstanceSpec spec = SpecVariants.spec(SpecVariants.metadata("d"),
                List.of(SpecVariants.disk(DiskSpec.Format.QCOW2, mode, "vda")), List.of(), false);

        new DiskConfigurator(directory -> {
            throw new AssertionError("probed for " + mode);
        }, "pc").configure(spec, domain);

        assertThat(domain.disks).singleElement()
                .satisfies(disk -> assertThat(disk.cache()).contains(DiskCache.valueOf(mode.name())));
    }

    @Test
    void twoDisksOnOneGuestDeviceAreAnInvalidSpec() {
        InstanceSpec spec = SpecVariants.spec(SpecVariants.metadata("d"), List.of(
                SpecVariants.disk(DiskSpec.Format.QCOW2, DiskSpec.CacheMode.NONE, "vda"),
                new DiskSpec(DIR.resolve("other"), DiskSpec.Format.RAW, DiskSpec.Bus.VIRTIO, DiskSpec.CacheMode.NONE, "vda")),
                List.of(), false);

        assertThatThrownBy(() -> new DiskConfigurator(directory -> true, "pc").configure(spec, new DomainBuilder()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("vda");
    }

    @Test
    void aConfigDriveIsAReadOnlyRawCdromOnIdeOnI440fx() {
        DomainBuilder domain = new DomainBuilder();
        InstanceSpec spec = SpecVariants.spec(SpecVariants.metadata("d"), List.of(
                DiskSpec.qcow2Root(DIR.resolve("disk")), DiskSpec.configDrive(DIR.resolve("disk.config"))),
                List.of(), false);

        new DiskConfigurator(directory -> true, "pc").configure(spec, domain);

        assertThat(domain.disks).last().isEqualTo(new Disk(DiskSourceType.FILE, DiskDevice.CDROM,
                DIR.resolve("disk.config"), DiskFormat.RAW, Optional.of(DiskCache.NONE), Optional.of(DiskIo.NATIVE),
                "hdd", DiskBus.IDE, true));
        assertThat(domain.disks.get(0).readOnly()).isFalse();
    }

    @Test
    void aMachineWithoutIdeGetsTheConfigDriveOnSata() {
        DomainBuilder domain = new DomainBuilder();
        InstanceSpec spec = SpecVariants.spec(SpecVariants.metadata("d"), List.of(
                DiskSpec.qcow2Root(DIR.resolve("disk")), DiskSpec.configDrive(DIR.resolve("disk.config"))),
                List.of(), false);

        new DiskConfigurator(directory -> true, "pc-q35-7.2").configure(spec, domain);

        assertThat(domain.disks).last().satisfies(disk -> {
            assertThat(disk.bus()).isEqualTo(DiskBus.SATA);
            assertThat(disk.targetDev()).isEqualTo("sdd");
            assertThat(disk.readOnly()).isTrue();
        });
    }
}

package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.libvirt.domain.Devices;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.DiskAuth;
import dev.computeagent.virt.libvirt.domain.DiskBus;
import dev.computeagent.virt.libvirt.domain.DiskCache;
import dev.computeagent.virt.libvirt.domain.DiskDevice;
import dev.computeagent.virt.libvirt.domain.DiskFormat;
import dev.computeagent.virt.libvirt.domain.DiskHost;
import dev.computeagent.virt.libvirt.domain.DiskProtocol;
import dev.computeagent.virt.libvirt.domain.DiskSourceType;
import dev.computeagent.virt.libvirt.domain.NetworkDisk;
import dev.computeagent.virt.libvirt.domain.SecretType;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DisksToCopyTest {

    private static final Disk ROOT = disk("vda", false);
    private static final Disk CONFIG_DRIVE = disk("vdz", true);
    private static final Disk EPHEMERAL = disk("vdb", false);
    private static final Disk VOLUME = disk("vdc", false);

    @Test
    void nothingKeptLeavesTheChoiceToLibvirt() {
        assertThat(DisksToCopy.of(devices(List.of(ROOT, EPHEMERAL), List.of()), Set.of(), Set.of(), "m")).isEmpty();
    }

    @Test
    void keptVolumesAndReadOnlyDisksAreNeverCopied() {
        assertThat(DisksToCopy.of(devices(List.of(ROOT, EPHEMERAL, VOLUME, CONFIG_DRIVE), List.of()), Set.of("vdc"),
                Set.of(), "m")).containsExactly("vda", "vdb");
    }

    @Test
    void aKeptDeviceTheDomainDoesNotHaveIsRefused() {
        assertThatThrownBy(() -> DisksToCopy.of(devices(List.of(ROOT), List.of()), Set.of("vdd"), Set.of(), "m"))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.PREPARE);
                    assertThat(e.reason()).isEqualTo(Reason.NOT_MIGRATABLE);
                    assertThat(e.sourceStillRunning()).isTrue();
                });
    }

    @Test
    void aNetworkVolumeWithCredentialsIsRefusedWithoutTheDestinationsConnectionAndWithoutNamingTheSecret() {
        UUID secret = UUID.randomUUID();
        NetworkDisk chap = new NetworkDisk(DiskProtocol.ISCSI, "iqn.2010-10.org.example:vol/0",
                List.of(new DiskHost("127.0.0.1", 3260)), Optional.of(new DiskAuth("user", SecretType.ISCSI, secret)),
                DiskFormat.RAW, Optional.of(DiskCache.NONE), "vdc", DiskBus.VIRTIO, false);

        assertThatThrownBy(() -> DisksToCopy.of(devices(List.of(ROOT), List.of(chap)), Set.of("vdc"), Set.of(), "m"))
                .isInstanceOfSatisfying(MigrationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_MIGRATABLE))
                .hasMessageContaining("vdc").hasMessageNotContaining(secret.toString());
        assertThatThrownBy(() -> DisksToCopy.of(devices(List.of(ROOT), List.of(chap)), Set.of(), Set.of(), "m"))
                .as("over shared storage too").isInstanceOf(MigrationException.class);
        assertThatThrownBy(() -> DisksToCopy.of(devices(List.of(ROOT), List.of(chap)), Set.of("vdc"), Set.of("vdd"),
                "m")).as("another volume's destination connection does not do").isInstanceOf(MigrationException.class);
    }

    @Test
    void aNetworkVolumeWithCredentialsMovesWhenTheDestinationOpensItWithItsOwnSecret() {
        NetworkDisk chap = new NetworkDisk(DiskProtocol.ISCSI, "iqn.2010-10.org.example:vol/0",
                List.of(new DiskHost("127.0.0.1", 3260)), Optional.of(new DiskAuth("user", SecretType.ISCSI,
                UUID.randomUUID())), DiskFormat.RAW, Optional.of(DiskCache.NONE), "vdc", DiskBus.VIRTIO, false);

        assertThat(DisksToCopy.of(devices(List.of(ROOT), List.of(chap)), Set.of("vdc"), Set.of("vdc"), "m"))
                .as("block migration: the volume is never copied").containsExactly("vda");
        assertThat(DisksToCopy.of(devices(List.of(ROOT), List.of(chap)), Set.of(), Set.of("vdc"), "m")).isEmpty();
    }

    @Test
    void aNetworkVolumeWithoutCredentialsIsKept() {
        NetworkDisk open = new NetworkDisk(DiskProtocol.ISCSI, "iqn.2010-10.org.example:vol/0",
                List.of(new DiskHost("127.0.0.1", 3260)), Optional.empty(), DiskFormat.RAW,
                Optional.of(DiskCache.NONE), "vdc", DiskBus.VIRTIO, false);

        assertThat(DisksToCopy.of(devices(List.of(ROOT), List.of(open)), Set.of("vdc"), Set.of(), "m"))
                .containsExactly("vda");
    }

    private static Disk disk(String dev, boolean readOnly) {
        return new Disk(DiskSourceType.FILE, DiskDevice.DISK, Path.of("/var/lib/x/" + dev), DiskFormat.QCOW2,
                Optional.empty(), Optional.empty(), dev, DiskBus.VIRTIO, readOnly);
    }

    private static Devices devices(List<Disk> disks, List<NetworkDisk> network) {
        return new Devices(Optional.empty(), disks, List.of(), List.of(), List.of(), List.of(), List.of(),
                Optional.empty(), List.of(), network);
    }
}

package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.OperationTimeoutException;
import dev.computeagent.virt.device.SecretValue;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.device.VolumeConnection;
import dev.computeagent.virt.device.VolumeCredentials;
import dev.computeagent.virt.libvirt.designer.DeviceDesigner;
import dev.computeagent.virt.testing.IscsiTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Volumes on the real libvirtd + QEMU with the tiny guest: QEMU's own iSCSI initiator logs in to a
 * private {@code tgtd} with CHAP through a libvirt secret, a wrong password leaves nothing behind, and
 * a guest that never answers an unplug request (the tiny guest has no ACPI hot plug) gets a clear
 * time-out with the device still attached.
 */
class LibvirtVolumesLibvirtTest {

    private static final String PASSWORD = "chap-Secret-4711";
    private static GuestDisks disks;
    private static LibvirtComputeDriver compute;
    private static LibvirtDeviceDriver devices;
    private static IscsiTarget target;
    private final List<UUID> created = new ArrayList<>();

    @BeforeAll
    static void connect() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        IscsiTarget.require();
        disks = new GuestDisks();
        compute = LibvirtComputeDriver.connect(LibvirtTestSupport.settings());
        devices = new LibvirtDeviceDriver(compute);
        target = IscsiTarget.start(disks.root(), 16L << 20, PASSWORD);
    }

    @AfterAll
    static void disconnect() {
        if (target != null) {
            target.close();
        }
        if (compute != null) {
            compute.close();
        }
        if (disks != null) {
            disks.close();
        }
    }

    @AfterEach
    void destroyInstances() {
        created.forEach(uuid -> {
            compute.destroy(uuid);
            disks.deleteInstance(uuid);
        });
    }

    private UUID spawnRunning() {
        UUID uuid = UUID.randomUUID();
        created.add(uuid);
        InstanceMetadata metadata = new InstanceMetadata("volumes", new Flavor(1, 64, 1, 0), "image-1", "test-host",
                Map.of(), Map.of());
        compute.spawn(new InstanceSpec(uuid, metadata, List.of(disks.overlay(uuid)), List.of(),
                disks.consoleLog(uuid), false));
        return uuid;
    }

    private static VolumeAttachment iscsi(String password) {
        return new VolumeAttachment("vol-iscsi", "vdb", new VolumeConnection.IscsiVolume(
                new VolumeConnection.NetworkHost("127.0.0.1", target.port()), IscsiTarget.IQN, 1,
                Optional.of(new VolumeCredentials(IscsiTarget.USER, SecretValue.of(password)))), false);
    }

    private static boolean hasSecret(UUID secret) {
        return compute.connectionManager().call(c -> c.hasSecret(secret));
    }

    @Test
    void iscsiVolumeWithChapIsOpenedByQemuAndItsPasswordIsOnlyInALibvirtSecret() {
        UUID uuid = spawnRunning();
        UUID secret = DeviceDesigner.secretUuid(uuid, "vol-iscsi");

        devices.attachVolume(uuid, iscsi(PASSWORD));

        assertThat(devices.attached(uuid).disks()).contains("vdb");
        assertThat(target.connectedInitiators()).as("QEMU logged in with CHAP").isEqualTo(1);
        assertThat(hasSecret(secret)).isTrue();
        String live = Commands.check("virsh", "-c", LibvirtTestSupport.URI, "dumpxml", "--security-info",
                "instance-" + uuid);
        String persistent = Commands.check("virsh", "-c", LibvirtTestSupport.URI, "dumpxml", "--inactive",
                "--security-info", "instance-" + uuid);
        assertThat(live).contains("protocol='iscsi'", secret.toString()).doesNotContain(PASSWORD);
        assertThat(persistent).contains("protocol='iscsi'").doesNotContain(PASSWORD);
        assertThat(Commands.run(Duration.ofSeconds(10), "virsh", "-c", LibvirtTestSupport.URI, "secret-get-value",
                secret.toString()).exitCode()).as("a private secret is never revealed").isNotZero();

        compute.stop(uuid, Duration.ZERO);
        devices.detachVolume(uuid, "vdb", Duration.ofSeconds(5));

        assertThat(devices.attached(uuid).disks()).doesNotContain("vdb");
        assertThat(hasSecret(secret)).as("the secret goes with the volume").isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> target.connectedInitiators() == 0);
    }

    @Test
    void destroyingAnInstanceWithAnIscsiVolumeRemovesTheVolumesSecret() {
        UUID uuid = spawnRunning();
        devices.attachVolume(uuid, iscsi(PASSWORD));
        UUID secret = DeviceDesigner.secretUuid(uuid, "vol-iscsi");
        assertThat(hasSecret(secret)).isTrue();

        compute.destroy(uuid);

        assertThat(hasSecret(secret)).isFalse();
    }

    @Test
    void wrongChapPasswordFailsTheAttachAndLeavesNeitherDiskNorSecret() {
        UUID uuid = spawnRunning();

        assertThatThrownBy(() -> devices.attachVolume(uuid, iscsi("not-the-password")))
                .isInstanceOf(DriverException.class)
                .hasMessageNotContaining("not-the-password");

        assertThat(devices.attached(uuid).disks()).containsExactly("vda");
        assertThat(hasSecret(DeviceDesigner.secretUuid(uuid, "vol-iscsi"))).isFalse();
    }

    @Test
    void guestThatNeverReleasesADiskGetsATimeoutAndKeepsIt() {
        UUID uuid = spawnRunning();
        Path file = disks.instanceDir(uuid).resolve("vol.raw");
        Commands.check("qemu-img", "create", "-q", "-f", "raw", file.toString(), "16M");
        devices.attachVolume(uuid, new VolumeAttachment("vol-file", "vdc",
                new VolumeConnection.FileVolume(file, DiskSpec.Format.RAW, false), false));

        assertThatThrownBy(() -> devices.detachVolume(uuid, "vdc", Duration.ofSeconds(1)))
                .isInstanceOf(OperationTimeoutException.class)
                .hasMessageContaining("did not release")
                .hasMessageContaining("vdc");

        assertThat(devices.attached(uuid).disks()).contains("vdc");
        compute.stop(uuid, Duration.ZERO);
        assertThat(devices.attached(uuid).disks()).as("still in the definition").contains("vdc");
    }
}

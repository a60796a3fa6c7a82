package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.device.SecretValue;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.device.VolumeConnection;
import dev.computeagent.virt.device.VolumeCredentials;
import dev.computeagent.virt.libvirt.LibvirtComputeDriver;
import dev.computeagent.virt.libvirt.LibvirtDeviceDriver;
import dev.computeagent.virt.libvirt.LibvirtDriverSettings;
import dev.computeagent.virt.libvirt.designer.DeviceDesigner;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.migration.DestinationVolume;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationRequest;
import dev.computeagent.virt.migration.StorageMode;
import dev.computeagent.virt.testing.IscsiTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live migration of a guest with an iSCSI volume behind CHAP between two real libvirt hosts
 * ({@link TwoLibvirtHosts}), the LUN served by a real user-space target ({@link IscsiTarget}, Debian's tgtd)
 * on this machine's address on the hosts' LAN. The destination's connection has its own CHAP account, so
 * only the secret the destination defined can open the volume there.
 */
class CredentialedVolumeMigrationTwoLibvirtHostsTest {

    @RegisterExtension
    static final TwoLibvirtHosts HOSTS = new TwoLibvirtHosts();

    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final String SOURCE_PASSWORD = "chap-Source-4711";
    private static final String DESTINATION_USER = "compute-agent-b";
    private static final String DESTINATION_PASSWORD = "chap-Destination-0815";
    private static final String VOLUME = "vol-chap";
    private static final long LUN_BYTES = 16L << 20;

    private static LibvirtComputeDriver driverA;
    private static LibvirtComputeDriver driverB;
    private static LibvirtMigrationDriver migratorA;
    private static LibvirtMigrationDriver migratorB;
    private static IscsiTarget target;
    private static Path targetDir;
    private UUID uuid;

    @BeforeAll
    static void connectAndStartTheTarget() throws IOException {
        IscsiTarget.require();
        driverA = LibvirtComputeDriver.connect(LibvirtDriverSettings.defaults(HOSTS.a().unixUri()));
        driverB = LibvirtComputeDriver.connect(LibvirtDriverSettings.defaults(HOSTS.b().unixUri()));
        migratorA = new LibvirtMigrationDriver(driverA);
        migratorB = new LibvirtMigrationDriver(driverB);
        targetDir = Files.createTempDirectory("ca-credvol-");
        target = IscsiTarget.start(targetDir, LUN_BYTES, SOURCE_PASSWORD, HOSTS.rootIp());
        target.addAccount(DESTINATION_USER, DESTINATION_PASSWORD);
        // what the guest's volume holds before any move
        MigrationGuests.run("qemu-io", "-f", "raw", "-c", "write -q -P 0x5a 0 " + LUN_BYTES, target.lunFile().toString());
    }

    @AfterAll
    static void close() throws IOException {
        if (target != null) {
            target.close();
        }
        for (LibvirtMigrationDriver migrator : new LibvirtMigrationDriver[] {migratorA, migratorB}) {
            if (migrator != null) {
                migrator.close();
            }
        }
        for (LibvirtComputeDriver driver : new LibvirtComputeDriver[] {driverA, driverB}) {
            if (driver != null) {
                driver.close();
            }
        }
        if (targetDir != null) {
            MigrationGuests.run("rm", "-rf", targetDir.toString());
        }
    }

    @AfterEach
    void destroyTheGuest() {
        if (uuid != null) {
            driverA.destroy(uuid);
            driverB.destroy(uuid);
        }
    }

    @Test
    void theVolumeMovesOpenedWithTheDestinationsSecretAndTheSourcesSecretIsGone() {
        Path log = bootOnAWithTheVolume();
        UUID sourceSecret = DeviceDesigner.secretUuid(uuid, VOLUME);
        DestinationVolume there = destinationVolume(DESTINATION_PASSWORD);
        assertThat(there.secret()).isNotEqualTo(sourceSecret);

        migratorB.prepareIncomingVolumes(uuid, List.of(there));
        assertThat(hasSecret(driverB, there.secret())).as("defined on b before the move").isTrue();
        migratorA.migrateLive(uuid, request().withDestinationVolumes(List.of(there)), p -> { });

        assertThat(driverB.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(driverA.listInstances()).noneMatch(i -> i.uuid().equals(uuid));
        assertThat(new LibvirtDeviceDriver(driverB).attached(uuid).disks()).contains("vdb");
        int lastTick = ConsoleTicks.read(log).last();
        await().atMost(BOOT).pollInterval(Duration.ofMillis(100)).until(() -> ConsoleTicks.read(log).last() > lastTick);
        assertThat(ConsoleTicks.read(log).boots()).as("the guest went on, no second boot").isEqualTo(1);
        for (String flags : new String[] {"--security-info", "--inactive --security-info"}) {
            String xml = virsh(HOSTS.b(), ("dumpxml " + flags + " instance-" + uuid).split(" "));
            assertThat(xml).as("b's definition (" + flags + ") names b's secret and account")
                    .contains("protocol='iscsi'", there.secret().toString(), DESTINATION_USER)
                    .doesNotContain(sourceSecret.toString(), SOURCE_PASSWORD, DESTINATION_PASSWORD);
        }
        assertThat(hasSecret(driverA, sourceSecret)).as("a keeps no secret of the volume").isFalse();
        assertThat(secretsOf(driverA)).isEmpty();
        assertThat(secretsOf(driverB)).containsExactly(there.secret());
        assertThat(HOSTS.exec(HOSTS.b(), Duration.ofSeconds(30), "virsh", "-c", "qemu:///system", "secret-get-value",
                there.secret().toString()).succeeded()).as("b's secret is private").isFalse();
        await().atMost(BOOT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(target.initiatorAddresses()).as("only b's QEMU is logged in")
                        .containsExactly(HOSTS.b().ip()));
        // b's QEMU writes through its own login; the target's file has both the old and the new bytes
        String wrote = virsh(HOSTS.b(), "qemu-monitor-command", "--hmp", "instance-" + uuid,
                "qemu-io -d /machine/peripheral/virtio-disk1/virtio-backend \"write -P 0x77 1M 64k\"");
        // the HMP command prints only errors
        assertThat(wrote).as("QEMU's own qemu-io on b").isBlank();
        MigrationGuests.run("qemu-io", "-r", "-U", "-f", "raw", "-c", "read -q -P 0x5a 0 1M", "-c",
                "read -q -P 0x77 1M 64k", "-c", "read -q -P 0x5a 1088k 15296k", target.lunFile().toString());

        driverB.destroy(uuid);
        assertThat(secretsOf(driverB)).as("deleting the instance removes b's secret").isEmpty();
    }

    @Test
    void aDestinationThatCannotLogInFailsTheMoveTheGuestStaysAndReleasingLeavesNoSecretThere() {
        bootOnAWithTheVolume();
        UUID sourceSecret = DeviceDesigner.secretUuid(uuid, VOLUME);
        DestinationVolume wrong = destinationVolume("not-" + DESTINATION_PASSWORD);
        migratorB.prepareIncomingVolumes(uuid, List.of(wrong));
        assertThat(migratorB.instancesWithVolumeSecrets()).as("read back from libvirt's secrets").contains(uuid);
        assertThat(migratorA.instancesWithVolumeSecrets()).as("a's attach defined one too").contains(uuid);

        assertThatThrownBy(() -> migratorA.migrateLive(uuid, request().withDestinationVolumes(List.of(wrong)), p -> { }))
                .isInstanceOfSatisfying(MigrationException.class,
                        e -> assertThat(e.sourceStillRunning()).as(e.getMessage()).isTrue())
                .hasMessageNotContaining(DESTINATION_PASSWORD).hasMessageNotContaining(SOURCE_PASSWORD);
        migratorB.releaseIncomingVolumes(uuid);

        assertThat(driverA.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(driverB.listInstances()).noneMatch(i -> i.uuid().equals(uuid));
        assertThat(secretsOf(driverB)).as("b keeps no secret of the failed move").isEmpty();
        assertThat(migratorB.instancesWithVolumeSecrets()).doesNotContain(uuid);
        assertThat(hasSecret(driverA, sourceSecret)).as("a's guest still uses its secret").isTrue();
        assertThat(target.initiatorAddresses()).containsExactly(HOSTS.a().ip());
    }

    @Test
    void withoutTheDestinationsConnectionTheMoveIsRefusedBeforeAnythingMoves() {
        bootOnAWithTheVolume();

        assertThatThrownBy(() -> migratorA.migrateLive(uuid, request(), p -> { }))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NOT_MIGRATABLE);
                    assertThat(e.sourceStillRunning()).isTrue();
                })
                .hasMessageContaining("vdb");

        assertThat(driverA.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(hasSecret(driverA, DeviceDesigner.secretUuid(uuid, VOLUME))).isTrue();
        assertThat(driverB.listInstances()).noneMatch(i -> i.uuid().equals(uuid));
    }

    /**
     * A cold move with the disk copied (the guest never runs during it) takes the same path: the paused copy on b
     * opens the volume with b's secret, a keeps no secret, and b's guest boots with the volume.
     */
    @Test
    void aStoppedGuestMovesWithItsDiskCopiedAndBootsOnBWithTheVolumeOpenedByBsSecret() {
        uuid = UUID.randomUUID();
        Path localA = HOSTS.a().dir().resolve("local-cold");
        Path localB = HOSTS.b().dir().resolve("local-cold");
        Path logA = MigrationGuests.consoleLog(localA, uuid);
        Path logB = MigrationGuests.consoleLog(localB, uuid);
        driverA.spawn(MigrationGuests.spec(uuid, MigrationGuests.overlay(localA, uuid), logA));
        await().atMost(BOOT).pollInterval(Duration.ofMillis(100)).until(() -> ConsoleTicks.read(logA).last() >= 1);
        new LibvirtDeviceDriver(driverA).attachVolume(uuid, new VolumeAttachment(VOLUME, "vdb",
                iscsi(IscsiTarget.USER, SOURCE_PASSWORD), false));
        driverA.stop(uuid, Duration.ZERO);
        MigrationGuests.overlay(localB, uuid);
        DestinationVolume there = destinationVolume(DESTINATION_PASSWORD);
        migratorB.prepareIncomingVolumes(uuid, List.of(there));

        migratorA.migrateStopped(uuid, MigrationRequest.to(HOSTS.b().tcpUri()).storage(StorageMode.BLOCK_INCREMENTAL)
                .rewritePaths(localA, localB).keepDisks(Set.of("vdb")).destinationVolumes(List.of(there)).build(),
                p -> { });

        assertThat(driverA.listInstances()).noneMatch(i -> i.uuid().equals(uuid));
        assertThat(secretsOf(driverA)).as("a keeps no secret of the volume").isEmpty();
        assertThat(driverB.info(uuid).powerState()).isEqualTo(PowerState.PAUSED);
        driverB.stop(uuid, Duration.ZERO);
        assertThat(virsh(HOSTS.b(), "dumpxml", "--inactive", "--security-info", "instance-" + uuid))
                .contains(there.secret().toString(), DESTINATION_USER);
        driverB.start(uuid);
        await().atMost(BOOT).pollInterval(Duration.ofMillis(100)).until(() -> ConsoleTicks.read(logB).boots() == 1);
        assertThat(new LibvirtDeviceDriver(driverB).attached(uuid).disks()).contains("vdb");
        await().atMost(BOOT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(target.initiatorAddresses()).containsExactly(HOSTS.b().ip()));
    }

    /** The ticking guest on a's shared-storage overlay, with the CHAP volume on vdb; returns its console log. */
    private Path bootOnAWithTheVolume() {
        uuid = UUID.randomUUID();
        Path dir = HOSTS.sharedDir();
        Path log = MigrationGuests.consoleLog(dir, uuid);
        driverA.spawn(MigrationGuests.spec(uuid, MigrationGuests.overlay(dir, uuid), log));
        await().atMost(BOOT).pollInterval(Duration.ofMillis(100)).until(() -> ConsoleTicks.read(log).last() >= 1);
        new LibvirtDeviceDriver(driverA).attachVolume(uuid, new VolumeAttachment(VOLUME, "vdb",
                iscsi(IscsiTarget.USER, SOURCE_PASSWORD), false));
        assertThat(target.initiatorAddresses()).as("a's QEMU logged in").containsExactly(HOSTS.a().ip());
        return log;
    }

    private DestinationVolume destinationVolume(String password) {
        return new DestinationVolume(VOLUME, "vdb", iscsi(DESTINATION_USER, password),
                DestinationVolume.secretOn("host-b", uuid, VOLUME));
    }

    private static VolumeConnection iscsi(String user, String password) {
        return new VolumeConnection.IscsiVolume(new VolumeConnection.NetworkHost(target.address(), target.port()),
                IscsiTarget.IQN, 1, Optional.of(new VolumeCredentials(user, SecretValue.of(password))));
    }

    private static MigrationRequest request() {
        return MigrationRequest.to(HOSTS.b().tcpUri()).unsafe(!HOSTS.sharedStorageRecognised()).build();
    }

    private static boolean hasSecret(LibvirtComputeDriver driver, UUID secret) {
        return driver.connectionManager().call(c -> c.hasSecret(secret));
    }

    private List<UUID> secretsOf(LibvirtComputeDriver driver) {
        return driver.connectionManager().call(c -> c.secretsWithUsagePrefix(DeviceDesigner.secretUsagePrefix(uuid)));
    }

    private static String virsh(TwoLibvirtHosts.Host host, String... arguments) {
        return HOSTS.virsh(host, arguments);
    }
}

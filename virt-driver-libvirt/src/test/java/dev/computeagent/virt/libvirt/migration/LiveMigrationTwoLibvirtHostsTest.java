package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.device.VolumeConnection;
import dev.computeagent.virt.libvirt.LibvirtComputeDriver;
import dev.computeagent.virt.libvirt.LibvirtDeviceDriver;
import dev.computeagent.virt.libvirt.LibvirtDriverSettings;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.migration.CompletedMigration;
import dev.computeagent.virt.migration.PortableInstance;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import dev.computeagent.virt.migration.MigrationProgress;
import dev.computeagent.virt.migration.MigrationRequest;
import dev.computeagent.virt.migration.MigrationResult;
import dev.computeagent.virt.migration.StorageMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live and cold migration through {@link LibvirtMigrationDriver} between two real libvirt hosts
 * ({@link TwoLibvirtHosts}) with a real ticking guest: the guest's serial counter must go on without
 * a second boot. One guest on shared storage serves the shared-storage, timeout and unreachable
 * tests; it is always back on host a when a test ends.
 */
class LiveMigrationTwoLibvirtHostsTest {

    @RegisterExtension
    static final TwoLibvirtHosts HOSTS = new TwoLibvirtHosts();

    private static final Duration BOOT = Duration.ofSeconds(30);

    private static LibvirtComputeDriver driverA;
    private static LibvirtComputeDriver driverB;
    private static LibvirtMigrationDriver migratorA;
    private static LibvirtMigrationDriver migratorB;
    private static UUID shared;
    private static Path sharedLog;

    @BeforeAll
    static void connectAndBootTheSharedGuest() {
        driverA = LibvirtComputeDriver.connect(LibvirtDriverSettings.defaults(HOSTS.a().unixUri()));
        driverB = LibvirtComputeDriver.connect(LibvirtDriverSettings.defaults(HOSTS.b().unixUri()));
        migratorA = new LibvirtMigrationDriver(driverA);
        migratorB = new LibvirtMigrationDriver(driverB);
        shared = UUID.randomUUID();
        Path dir = HOSTS.sharedDir();
        sharedLog = MigrationGuests.consoleLog(dir, shared);
        driverA.spawn(MigrationGuests.spec(shared, MigrationGuests.overlay(dir, shared), sharedLog));
        awaitTicks(sharedLog, 1);
    }

    @AfterAll
    static void close() {
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
    }

    @Test
    void sharedStorageLiveMigrationThereAndBackKeepsTheGuestTicking() {
        List<MigrationProgress> progress = new CopyOnWriteArrayList<>();

        MigrationResult there = migratorA.migrateLive(shared, sharedRequest(HOSTS.b()), progress::add);

        assertRunsOnlyOn(driverB, driverA, shared);
        assertTicksContinue(sharedLog, sharedLog, there);
        CompletedMigration arrival = migratorB.lastIncomingMigration(shared).orElseThrow();
        assertThat(arrival.downtime()).isLessThan(Duration.ofMillis(500));
        assertThat(arrival.dataProcessed()).isPositive();

        // back with auto-converge: libvirt and QEMU must accept the throttling option
        MigrationRequest backRequest = MigrationRequest.to(HOSTS.a().tcpUri()).unsafe(!HOSTS.sharedStorageRecognised())
                .autoConverge(true).build();
        MigrationResult back = migratorB.migrateLive(shared, backRequest, progress::add);

        assertRunsOnlyOn(driverA, driverB, shared);
        assertTicksContinue(sharedLog, sharedLog, back);
        assertThat(ConsoleTicks.read(sharedLog).boots()).isEqualTo(1);
    }

    @Test
    void blockMigrationCopiesTheOverlayThereAndBack() {
        UUID uuid = UUID.randomUUID();
        Path localA = HOSTS.a().dir().resolve("local");
        Path localB = HOSTS.b().dir().resolve("local");
        DiskSpec diskA = MigrationGuests.overlay(localA, uuid);
        // data only A's overlay holds: it must arrive in B's own overlay
        MigrationGuests.run("qemu-io", "-f", "qcow2", "-c", "write -q -P 0x5a 512k 64k", diskA.path().toString());
        Path logA = MigrationGuests.consoleLog(localA, uuid);
        Path logB = MigrationGuests.consoleLog(localB, uuid);
        driverA.spawn(MigrationGuests.spec(uuid, diskA, logA));
        try {
            awaitTicks(logA, 1);
            DiskSpec diskB = MigrationGuests.overlay(localB, uuid);

            MigrationResult there = migratorA.migrateLive(uuid, MigrationRequest.to(HOSTS.b().tcpUri())
                    .storage(StorageMode.BLOCK_INCREMENTAL).rewritePaths(localA, localB).build(), p -> { });

            assertRunsOnlyOn(driverB, driverA, uuid);
            assertTicksContinue(logA, logB, there);
            MigrationGuests.run("qemu-io", "-r", "-U", "-f", "qcow2", "-c", "read -q -P 0x5a 512k 64k",
                    diskB.path().toString());

            MigrationGuests.overlay(localA, uuid);
            MigrationResult back = migratorB.migrateLive(uuid, MigrationRequest.to(HOSTS.a().tcpUri())
                    .storage(StorageMode.BLOCK_INCREMENTAL).rewritePaths(localB, localA).build(), p -> { });

            assertRunsOnlyOn(driverA, driverB, uuid);
            assertTicksContinue(logB, logA, back);
            MigrationGuests.run("qemu-io", "-r", "-U", "-f", "qcow2", "-c", "read -q -P 0x5a 512k 64k",
                    diskA.path().toString());
        } finally {
            driverA.destroy(uuid);
            driverB.destroy(uuid);
        }
    }

    /**
     * A shared file volume (same path on both hosts) is hot plugged before a block migration: only the overlay
     * is copied, the destination's guest has the volume on the same device and path, and its data is intact.
     */
    @Test
    void blockMigrationLeavesASharedFileVolumeInPlaceAndTheDestinationOpensIt() throws IOException {
        UUID uuid = UUID.randomUUID();
        Path localA = HOSTS.a().dir().resolve("local");
        Path localB = HOSTS.b().dir().resolve("local");
        DiskSpec diskA = MigrationGuests.overlay(localA, uuid);
        Path logA = MigrationGuests.consoleLog(localA, uuid);
        Path logB = MigrationGuests.consoleLog(localB, uuid);
        long volumeBytes = 32L << 20;
        Path volume = HOSTS.sharedDir().resolve("volume-" + uuid + ".raw");
        MigrationGuests.run("qemu-img", "create", "-q", "-f", "raw", volume.toString(), String.valueOf(volumeBytes));
        MigrationGuests.run("qemu-io", "-f", "raw", "-c", "write -q -P 0x6b 0 " + volumeBytes, volume.toString());
        driverA.spawn(MigrationGuests.spec(uuid, diskA, logA));
        try {
            awaitTicks(logA, 1);
            new LibvirtDeviceDriver(driverA).attachVolume(uuid, new VolumeAttachment("vol-1", "vdc",
                    new VolumeConnection.FileVolume(volume, DiskSpec.Format.RAW, true), false));
            MigrationGuests.overlay(localB, uuid);
            FileTime written = Files.getLastModifiedTime(volume);

            MigrationResult there = migratorA.migrateLive(uuid, MigrationRequest.to(HOSTS.b().tcpUri())
                    .storage(StorageMode.BLOCK_INCREMENTAL).rewritePaths(localA, localB)
                    .unsafe(!HOSTS.sharedStorageRecognised()).keepDisks(Set.of("vdc")).build(), p -> { });

            assertRunsOnlyOn(driverB, driverA, uuid);
            assertTicksContinue(logA, logB, there);
            assertThat(new LibvirtDeviceDriver(driverB).attached(uuid).disks()).contains("vda", "vdc");
            TwoLibvirtHosts.ExecResult dumpxml = HOSTS.exec(HOSTS.b(), Duration.ofSeconds(30), "virsh", "-c",
                    "qemu:///system", "dumpxml", "instance-" + uuid);
            assertThat(dumpxml.succeeded()).as(dumpxml.stderr()).isTrue();
            assertThat(dumpxml.stdout()).as("the destination's guest opens the volume where it is")
                    .contains(volume.toString());
            // a copy would have written every block of it through the destination's mirror target; the guest never does
            assertThat(Files.getLastModifiedTime(volume)).as("the volume was not copied").isEqualTo(written);
            MigrationGuests.run("qemu-io", "-r", "-U", "-f", "raw", "-c", "read -q -P 0x6b 0 " + volumeBytes,
                    volume.toString());
        } finally {
            driverA.destroy(uuid);
            driverB.destroy(uuid);
        }
    }

    /** A "shared" volume the destination cannot open (a path only the source has) fails the move; the guest stays. */
    @Test
    void aKeptVolumeTheDestinationCannotOpenFailsTheMigrationAndTheGuestStays() {
        UUID uuid = UUID.randomUUID();
        Path localA = HOSTS.a().dir().resolve("local");
        Path localB = HOSTS.b().dir().resolve("local");
        DiskSpec diskA = MigrationGuests.overlay(localA, uuid);
        Path logA = MigrationGuests.consoleLog(localA, uuid);
        // host a's private /var/lib/libvirt: host b has a directory of the same name, without this file
        String name = "volume-" + uuid + ".raw";
        MigrationGuests.run("qemu-img", "create", "-q", "-f", "raw", HOSTS.a().libDir(name).toString(), "16M");
        Path onlyOnA = Path.of("/var/lib/libvirt").resolve(name);
        driverA.spawn(MigrationGuests.spec(uuid, diskA, logA));
        try {
            awaitTicks(logA, 1);
            new LibvirtDeviceDriver(driverA).attachVolume(uuid, new VolumeAttachment("vol-1", "vdc",
                    new VolumeConnection.FileVolume(onlyOnA, DiskSpec.Format.RAW, true), false));
            MigrationGuests.overlay(localB, uuid);

            assertThatThrownBy(() -> migratorA.migrateLive(uuid, MigrationRequest.to(HOSTS.b().tcpUri())
                    .storage(StorageMode.BLOCK_INCREMENTAL).rewritePaths(localA, localB).unsafe(true)
                    .keepDisks(Set.of("vdc")).build(), p -> { }))
                    .isInstanceOfSatisfying(MigrationException.class,
                            e -> assertThat(e.sourceStillRunning()).as(e.getMessage()).isTrue())
                    .as("the destination could not open the volume").hasMessageContaining(name);

            assertRunsOnlyOn(driverA, driverB, uuid);
            assertThat(new LibvirtDeviceDriver(driverA).attached(uuid).disks()).contains("vda", "vdc");
        } finally {
            driverA.destroy(uuid);
            driverB.destroy(uuid);
        }
    }

    @Test
    void completionTimeoutAbortsAndTheGuestStaysOnTheSource() {
        int before = ConsoleTicks.read(sharedLog).last();
        MigrationRequest hopeless = MigrationRequest.to(HOSTS.b().tcpUri()).unsafe(!HOSTS.sharedStorageRecognised())
                .completionTimeout(Duration.ofMillis(1)).pollInterval(Duration.ofMillis(20)).build();

        assertThatThrownBy(() -> migratorA.migrateLive(shared, hopeless, p -> { }))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.MONITOR);
                    assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.TIMED_OUT);
                    assertThat(e.sourceStillRunning()).isTrue();
                    assertThat(e.retriable()).isTrue();
                });

        assertRunsOnlyOn(driverA, driverB, shared);
        awaitTicks(sharedLog, before + 1);
    }

    @Test
    void aCancelAbortsTheRunningJobAndTheGuestStaysOnTheSource() throws Exception {
        int before = ConsoleTicks.read(sharedLog).last();
        MigrationRequest slow = MigrationRequest.to(HOSTS.b().tcpUri()).unsafe(!HOSTS.sharedStorageRecognised())
                .bandwidthMibPerSecond(1).pollInterval(Duration.ofMillis(20)).build();
        assertThat(migratorA.cancelMigration(shared)).as("nothing runs yet").isFalse();
        CompletableFuture<MigrationResult> migrating = CompletableFuture.supplyAsync(
                () -> migratorA.migrateLive(shared, slow, p -> { }));

        // libvirt has no job to abort until the transfer started: asked again until it takes
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> migratorA.cancelMigration(shared) || migrating.isDone());

        assertThat(migrating).failsWithin(Duration.ofSeconds(90)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.ABORTED);
                    assertThat(e.sourceStillRunning()).isTrue();
                });
        assertRunsOnlyOn(driverA, driverB, shared);
        assertThat(migratorA.cancelMigration(shared)).as("nothing runs any more").isFalse();
        awaitTicks(sharedLog, before + 1);
    }

    @Test
    void unreachableDestinationIsATypedErrorAndTheGuestStays() {
        // B's address, but a port nothing listens on: refused at once
        MigrationRequest nowhere = MigrationRequest.to("qemu+tcp://" + HOSTS.b().ip() + ":16599/system").build();

        assertThatThrownBy(() -> migratorA.migrateLive(shared, nowhere, p -> { }))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.TRANSFER);
                    assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.DESTINATION_UNREACHABLE);
                    assertThat(e.sourceStillRunning()).isTrue();
                });

        assertRunsOnlyOn(driverA, driverB, shared);
    }

    @Test
    void blockMigrationToADestinationWithoutItsDiskFailsAndTheGuestStays() {
        Path missing = HOSTS.b().dir().resolve("not-prepared");
        MigrationRequest unprepared = MigrationRequest.to(HOSTS.b().tcpUri()).storage(StorageMode.BLOCK_INCREMENTAL)
                .rewritePaths(HOSTS.sharedDir(), missing).build();

        assertThatThrownBy(() -> migratorA.migrateLive(shared, unprepared, p -> { }))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.step()).as(e.getMessage()).isEqualTo(Step.TRANSFER);
                    assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.DESTINATION_REFUSED);
                    assertThat(e.sourceStillRunning()).isTrue();
                });

        assertRunsOnlyOn(driverA, driverB, shared);
    }

    @Test
    void unknownInstanceIsNotMigratable() {
        assertThatThrownBy(() -> migratorA.migrateLive(UUID.randomUUID(), sharedRequest(HOSTS.b()), p -> { }))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.PREPARE);
                    assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.NOT_MIGRATABLE);
                });
    }

    @Test
    void coldMigrationDefinesTheStoppedInstanceOnTheDestinationFromTypedData() {
        UUID uuid = UUID.randomUUID();
        Path dir = HOSTS.sharedDir();
        Path log = MigrationGuests.consoleLog(dir, uuid);
        InstanceSpec spawned = MigrationGuests.spec(uuid, MigrationGuests.overlay(dir, uuid), log);
        NicSpec user = new NicSpec(NicSpec.Type.USER, Optional.empty(),
                Optional.of("52:54:00:aa:bb:cc"), "e1000");
        driverA.spawn(new InstanceSpec(uuid, spawned.metadata(), spawned.disks(), List.of(user), log, false));
        try {
            driverA.stop(uuid, Duration.ZERO);
            int bootsBefore = ConsoleTicks.read(log).boots();
            PortableInstance exported = migratorA.exportInstance(uuid);
            InstanceSpec rendered = new InstanceSpec(uuid, exported.metadata(), spawned.disks(), exported.nics(), log,
                    false);

            migratorB.defineInstance(rendered);
            driverB.start(uuid);
            driverA.destroy(uuid);

            assertThat(exported.nics()).containsExactly(user);
            assertThat(exported.metadata()).isEqualTo(spawned.metadata());
            assertThat(driverB.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
            assertThat(driverB.info(uuid).metadata().name()).isEqualTo("migrating guest");
            assertThat(driverA.listInstances()).noneMatch(i -> i.uuid().equals(uuid));
            await().atMost(BOOT).until(() -> ConsoleTicks.read(log).boots() > bootsBefore);
            assertThatThrownBy(() -> migratorB.defineInstance(rendered))
                    .isInstanceOf(InstanceExistsException.class);
        } finally {
            driverA.destroy(uuid);
            driverB.destroy(uuid);
        }
    }

    @Test
    void stoppedMigrationCopiesTheDiskWithoutRunningTheGuestAndAFailureLeavesItStoppedHere() {
        UUID uuid = UUID.randomUUID();
        Path localA = HOSTS.a().dir().resolve("local-cold");
        Path localB = HOSTS.b().dir().resolve("local-cold");
        DiskSpec diskA = MigrationGuests.overlay(localA, uuid);
        Path logA = MigrationGuests.consoleLog(localA, uuid);
        Path logB = MigrationGuests.consoleLog(localB, uuid);
        driverA.spawn(MigrationGuests.spec(uuid, diskA, logA));
        try {
            awaitTicks(logA, 1);
            MigrationRequest toB = MigrationRequest.to(HOSTS.b().tcpUri()).storage(StorageMode.BLOCK_INCREMENTAL)
                    .rewritePaths(localA, localB).build();
            assertThatThrownBy(() -> migratorA.migrateStopped(uuid, toB, p -> { }))
                    .as("a running instance is not moved cold")
                    .isInstanceOfSatisfying(MigrationException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_MIGRATABLE));
            driverA.stop(uuid, Duration.ZERO);
            // data only A's overlay holds (written while stopped): it must arrive in B's own overlay
            MigrationGuests.run("qemu-io", "-f", "qcow2", "-c", "write -q -P 0x7c 256k 64k", diskA.path().toString());
            MigrationRequest nowhere = MigrationRequest.to("qemu+tcp://" + HOSTS.b().ip() + ":16599/system")
                    .storage(StorageMode.BLOCK_INCREMENTAL).build();

            assertThatThrownBy(() -> migratorA.migrateStopped(uuid, nowhere, p -> { }))
                    .isInstanceOfSatisfying(MigrationException.class, e -> {
                        assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.DESTINATION_UNREACHABLE);
                        assertThat(e.sourceStillRunning()).isFalse();
                    });
            assertThat(driverA.info(uuid).powerState()).as("the paused copy process is gone")
                    .isEqualTo(PowerState.SHUTDOWN);

            DiskSpec diskB = MigrationGuests.overlay(localB, uuid);
            int bootsOnA = ConsoleTicks.read(logA).boots();
            migratorA.migrateStopped(uuid, toB, p -> { });

            assertThat(driverA.listInstances()).noneMatch(i -> i.uuid().equals(uuid));
            assertThat(driverB.info(uuid).powerState()).as("arrives without having run").isEqualTo(PowerState.PAUSED);
            assertThat(ConsoleTicks.read(logB).boots()).isZero();
            assertThat(ConsoleTicks.read(logA).boots()).isEqualTo(bootsOnA);
            driverB.stop(uuid, Duration.ZERO);
            MigrationGuests.run("qemu-io", "-r", "-U", "-f", "qcow2", "-c", "read -q -P 0x7c 256k 64k",
                    diskB.path().toString());
            driverB.start(uuid);
            await().atMost(BOOT).until(() -> ConsoleTicks.read(logB).boots() == 1);
            assertThat(driverB.info(uuid).metadata().name()).isEqualTo("migrating guest");
        } finally {
            driverA.destroy(uuid);
            driverB.destroy(uuid);
        }
    }

    @Test
    void defineRefusesASpecWhoseDiskIsNotInPlaceAndDefinesNothing() {
        UUID uuid = UUID.randomUUID();
        Path dir = HOSTS.b().dir().resolve("missing-" + uuid);
        InstanceSpec spec = MigrationGuests.spec(uuid, DiskSpec.qcow2Root(dir.resolve("disk")),
                HOSTS.b().dir().resolve("console-" + uuid + ".log"));

        assertThatThrownBy(() -> migratorB.defineInstance(spec))
                .isInstanceOf(InvalidSpecException.class);
        assertThat(driverB.listInstances()).noneMatch(i -> i.uuid().equals(uuid));
    }

    private static MigrationRequest sharedRequest(TwoLibvirtHosts.Host destination) {
        return MigrationRequest.to(destination.tcpUri()).unsafe(!HOSTS.sharedStorageRecognised()).build();
    }

    private static void assertRunsOnlyOn(LibvirtComputeDriver owner, LibvirtComputeDriver other, UUID uuid) {
        assertThat(owner.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(other.listInstances()).noneMatch(i -> i.uuid().equals(uuid));
    }

    /** The counter goes on on the destination right after where it stopped on the source; no reboot. */
    private static void assertTicksContinue(Path sourceLog, Path destinationLog, MigrationResult result) {
        int lastOnSource = ConsoleTicks.read(sourceLog).last();
        int bootsOnDestination = ConsoleTicks.read(destinationLog).boots();
        awaitTicks(destinationLog, lastOnSource + 1);
        ConsoleTicks after = ConsoleTicks.read(destinationLog);
        assertThat(after.boots()).isEqualTo(bootsOnDestination);
        int firstNew = after.ticks().stream().filter(t -> t > lastOnSource).findFirst().orElseThrow();
        assertThat(firstNew).isBetween(lastOnSource + 1, lastOnSource + 2);
        assertThat(result.wallTime()).isLessThan(Duration.ofSeconds(30));
    }

    private static void awaitTicks(Path log, int tick) {
        await().atMost(BOOT).pollInterval(Duration.ofMillis(100)).until(() -> ConsoleTicks.read(log).last() >= tick);
    }
}

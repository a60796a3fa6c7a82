package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.execution.BackgroundTasks;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.DeleteHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.ResizeArrival;
import dev.computeagent.agent.handler.SpawnHandler;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ConnectionInfoArgs;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.MigrateVolumeArgs;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.MigrationAbortArgs;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.message.MigrationProgressPayload;
import dev.computeagent.agent.message.MigrationVolumeArgs;
import dev.computeagent.agent.message.SecurityRuleArgs;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.AttachedVolumes;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.MigrationProgressBoard;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HostResources;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.OperationTimeoutException;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import dev.computeagent.virt.fake.FakeSecurityGroupDriver;
import dev.computeagent.virt.migration.DestinationVolume;
import dev.computeagent.virt.migration.FakeMigrationDriver;
import dev.computeagent.virt.migration.IncomingState;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationProgress;
import dev.computeagent.virt.migration.MigrationRequest;
import dev.computeagent.virt.migration.StorageMode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source's orchestration and rollback against the destination's steps, both on fakes. */
class MigrateHandlerWithFakesTest {

    /** The destination's wait for a post-copy migration whose source's QEMU ended, shortened. */
    private static final Duration SOURCE_GONE_SETTLE = Duration.ofMillis(300);

    @TempDir
    Path root;

    private final FakeMigrationDriver.Network network = new FakeMigrationDriver.Network();
    private final InProcessDestinations destinations = new InProcessDestinations();
    private final UUID uuid = UUID.randomUUID();
    private Agent a;
    private Agent b;

    /** One host's agent parts. */
    private final class Agent {
        final String host;
        final Path stateDir;
        final FakeComputeDriver driver;
        final OwnedInstancesDriver owned;
        final FakeImageCache images = new FakeImageCache();
        final FakeSecurityGroupDriver securityGroups = new FakeSecurityGroupDriver();
        final InstanceRegistry registry;
        final InstanceStore store;
        final InstanceFiles files;
        final MigrationsInFlight inFlight = new MigrationsInFlight();
        final MigrationProgressBoard progressBoard = new MigrationProgressBoard();
        final List<MigrationProgressPayload> progressEvents = new CopyOnWriteArrayList<>();
        final HostCapacity capacity;
        final IncomingMigrations incoming;
        final MigrationCheckHandler check;
        final MigrationPrepareHandler prepare;
        final MigrationAdoptHandler adopt;
        final MigrationAbortHandler abortHere;
        final FakeMigrationDriver migrations;
        final MigrateHandler migrate;
        final OutgoingMigrations outgoing = new OutgoingMigrations();
        final MigrateAbortHandler abort;
        final SpawnHandler spawn;
        final StaleCopyRemoval staleCopies;

        Agent(String host, Path stateDir, FakeComputeDriver driver) {
            this.host = host;
            this.stateDir = stateDir;
            this.driver = driver;
            driver.setCheckDiskFiles(false);
            owned = new OwnedInstancesDriver(driver, host, ReleasedInstances.in(stateDir, host));
            staleCopies = new StaleCopyRemoval(owned, BackgroundTasks.daemonScheduler("test-stale-copies"));
            registry = new InstanceRegistry(host);
            store = new InstanceStore(owned, registry);
            files = new InstanceFiles(stateDir, host);
            network.register(uri(), driver);
            migrations = new FakeMigrationDriver(driver, network);
            capacity = new HostCapacity(owned, files, registry);
            incoming = new IncomingMigrations(files, inFlight, capacity, migrations);
            InstanceProvisioner provisioner = new InstanceProvisioner(images, files, ConfigDrives.builder());
            DestinationCheck checks = new DestinationCheck(store, files, capacity, uri(), stateDir);
            check = new MigrationCheckHandler(checks);
            prepare = new MigrationPrepareHandler(incoming, images, files, provisioner, capacity, checks, securityGroups);
            adopt = new MigrationAdoptHandler(incoming, owned, migrations, images, store, files, provisioner, host,
                    new ResizeFiles(files), new ResizeArrival(owned, images, files, new ResizeFiles(files),
                    provisioner, store), destinations.notices(host)).settlingAfterAnEndedSourceWithin(SOURCE_GONE_SETTLE);
            abortHere = new MigrationAbortHandler(incoming, owned, securityGroups);
            destinations.register(host, List.of(check, prepare, adopt, abortHere));
            abort = new MigrateAbortHandler(outgoing, migrations, store, Duration.ofSeconds(30));
            migrate = new MigrateHandler(owned, migrations, destinations, store, files, inFlight, outgoing, host, stateDir,
                    MigrationTimeouts.DEFAULTS, MigrationPolicy.DEFAULTS,
                    new MigrationProgressReporting(progressBoard, (u, r, p) -> progressEvents.add(p),
                            Duration.ofSeconds(2)), securityGroups, staleCopies);
            spawn = TestSpawns.handler(owned, images, registry, files, ConfigDrives.builder(), ConfigDrives.OPTIONS,
                    capacity, host, new SimpleMeterRegistry());
        }

        String uri() {
            return "fake://" + host + "/system";
        }

        Outcome migrateTo(String destination, Boolean live, Boolean block) {
            return migrate.handle(TestCommands.migrate("req-" + UUID.randomUUID(), uuid,
                    new MigrateArgs(destination, live, block, 300, null, null)));
        }
    }

    private void twoHosts(boolean sharedStateDir) {
        a = new Agent("a", root.resolve("a"), new FakeComputeDriver());
        b = new Agent("b", sharedStateDir ? root.resolve("a") : root.resolve("b"), new FakeComputeDriver());
    }

    /** {@code agent}'s claims on arrival, each run on the event's thread (no lanes here). */
    private static ArrivalClaims claimingOnArrival(Agent agent) {
        return new ArrivalClaims(agent.owned, agent.incoming, agent.adopt, (u, task) -> task.run());
    }

    private void spawnOnA() {
        a.spawn.handle(TestCommands.spawn("req-spawn", uuid, TestCommands.spawnArgs("web-1", new Flavor(1, 128, 1, 0),
                "tiny", List.of(), Map.of("team", "a"), Optional.empty())));
    }

    @AfterEach
    void close() {
        if (a != null) {
            a.driver.close();
            b.driver.close();
        }
    }

    @Test
    void blockMigrationMovesTheInstanceAndItsOwnershipToTheDestination() {
        twoHosts(false);
        spawnOnA();

        Outcome outcome = a.migrateTo("b", null, null);

        assertThat(outcome.payload()).containsEntry("destination", "b").containsEntry("host", "b")
                .containsEntry("state", "ACTIVE").containsEntry("power_state", "RUNNING")
                .containsEntry("completed_in", "MEMORY_COPY");
        // not shared: the check within the prepare prepared nothing; the second prepare is for the copy
        assertThat(destinations.sent()).containsExactly("b:migration.prepare", "b:migration.prepare", "b:migration.adopt");
        MigrationRequest request = a.migrations.requests().get(0);
        assertThat(request.storage()).isEqualTo(StorageMode.BLOCK_INCREMENTAL);
        assertThat(request.destinationUri()).isEqualTo("fake://b/system");
        assertThat(request.maxDowntime().toMillis()).isEqualTo(300);
        assertThat(request.pathRewrites()).containsEntry(a.stateDir.toAbsolutePath(), b.stateDir.toAbsolutePath());
        // source: gone from the hypervisor, the view and the disk
        assertThat(a.store.find(uuid)).isEmpty();
        assertThat(a.registry.all()).isEmpty();
        assertThat(a.files.exists(uuid)).isFalse();
        // destination: owns it, with the empty overlay prepare made and no prepare marker left
        assertThat(b.registry.find(uuid)).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(InstanceState.ACTIVE));
        assertThat(b.driver.info(uuid).metadata().annotations()).containsEntry("state", "ACTIVE");
        assertThat(b.images.overlaysCreated()).isEqualTo(1);
        assertThat(b.files.disk(uuid)).exists();
        assertThat(b.files.dir(uuid).resolve(InstanceFiles.MIGRATION_PREPARED)).doesNotExist();
        assertThat(a.inFlight.contains(uuid)).isFalse();
        assertThat(b.inFlight.contains(uuid)).isFalse();
        // the driver's sample became a progress event; nothing is left on the board once it ended
        assertThat(a.progressEvents).singleElement().satisfies(p -> {
            assertThat(p.destination()).isEqualTo("b");
            assertThat(p.percent()).isEqualTo(100);
        });
        assertThat(a.progressBoard.find(uuid)).isEmpty();
    }

    @Test
    void prepareMakesTheSecurityGroupsFilterOnTheDestinationFromTheRulesKeptWithTheInstance() {
        twoHosts(false);
        SecurityRuleArgs ssh = new SecurityRuleArgs("ingress", "tcp", new SecurityRuleArgs.PortRange(22, 22), null,
                null);
        a.spawn.handle(TestCommands.spawn("req-spawn", uuid, new SpawnArgs("web-1", new Flavor(1, 128, 1, 0), "tiny",
                null, null, null, null, List.of(ssh))));

        a.migrateTo("b", null, null);

        assertThat(b.securityGroups.rules(uuid)).contains(List.of(ssh.toRule()));
        assertThat(b.driver.info(uuid).metadata().annotations()).containsKey("security_groups");
    }

    @Test
    void anAbortedPrepareRemovesTheFilterItMade() {
        twoHosts(false);
        a.spawn.handle(TestCommands.spawn("req-spawn", uuid, new SpawnArgs("web-1", new Flavor(1, 128, 1, 0), "tiny",
                null, null, null, null, List.of())));
        b.images.failFetch("tiny", () -> new ImageNotFoundException("no image tiny in the store"));

        assertThatThrownBy(() -> a.migrateTo("b", null, null)).isInstanceOf(CommandFailedException.class);

        assertThat(b.securityGroups.rules(uuid)).isEmpty();
    }

    @Test
    void aSuccessfulLiveMigrationRemovesTheFilterOnTheSource() {
        twoHosts(false);
        SecurityRuleArgs ssh = new SecurityRuleArgs("ingress", "tcp", new SecurityRuleArgs.PortRange(22, 22), null,
                null);
        a.spawn.handle(TestCommands.spawn("req-spawn", uuid, new SpawnArgs("web-1", new Flavor(1, 128, 1, 0), "tiny",
                null, null, null, null, List.of(ssh))));
        a.securityGroups.apply(uuid, List.of(ssh.toRule())); // what the spawn's driver made here

        a.migrateTo("b", true, null);

        assertThat(a.securityGroups.rules(uuid)).as("the source's filter").isEmpty();
        assertThat(b.securityGroups.rules(uuid)).as("the destination's filter").contains(List.of(ssh.toRule()));
    }

    @Test
    void aColdHandOverRemovesTheFilterOnTheSource() {
        twoHosts(true);
        SecurityRuleArgs ssh = new SecurityRuleArgs("ingress", "tcp", new SecurityRuleArgs.PortRange(22, 22), null,
                null);
        a.spawn.handle(TestCommands.spawn("req-spawn", uuid, new SpawnArgs("web-1", new Flavor(1, 128, 1, 0), "tiny",
                null, null, null, null, List.of(ssh))));
        a.securityGroups.apply(uuid, List.of(ssh.toRule()));

        a.migrateTo("b", false, null);

        assertThat(a.securityGroups.rules(uuid)).isEmpty();
        assertThat(b.securityGroups.rules(uuid)).contains(List.of(ssh.toRule()));
    }

    @Test
    void aFailedMigrationKeepsTheFilterOnTheSource() {
        twoHosts(false);
        SecurityRuleArgs ssh = new SecurityRuleArgs("ingress", "tcp", new SecurityRuleArgs.PortRange(22, 22), null,
                null);
        a.spawn.handle(TestCommands.spawn("req-spawn", uuid, new SpawnArgs("web-1", new Flavor(1, 128, 1, 0), "tiny",
                null, null, null, null, List.of(ssh))));
        a.securityGroups.apply(uuid, List.of(ssh.toRule()));
        b.images.failFetch("tiny", () -> new ImageNotFoundException("no image tiny in the store"));

        assertThatThrownBy(() -> a.migrateTo("b", null, null)).isInstanceOf(CommandFailedException.class);

        assertThat(a.securityGroups.rules(uuid)).contains(List.of(ssh.toRule()));
        assertThat(b.securityGroups.rules(uuid)).isEmpty();
    }

    @Test
    void anExpiredPreparationRemovesTheFilterPrepareMade() {
        twoHosts(false);
        SecurityRuleArgs ssh = new SecurityRuleArgs("ingress", "tcp", new SecurityRuleArgs.PortRange(22, 22), null,
                null);
        MigrationPrepareArgs prepare = new MigrationPrepareArgs("a", "web-1", new Flavor(1, 128, 1, 0), "tiny",
                true, null, null, null, null, List.of(ssh));
        assertThat(destinations.call("b", CommandName.MIGRATION_PREPARE, "r.prepare", uuid, prepare,
                Duration.ofSeconds(5)).failed()).isFalse();
        assertThat(b.securityGroups.rules(uuid)).contains(List.of(ssh.toRule()));
        PreparedMigrationExpiry expiry = new PreparedMigrationExpiry(b.incoming, b.owned, Duration.ofMillis(1),
                (u, task) -> task.run(), b.securityGroups);

        await().atMost(Duration.ofSeconds(5)).until(() -> !b.incoming.overdue(Duration.ofMillis(1)).isEmpty());
        expiry.sweep();

        assertThat(b.securityGroups.rules(uuid)).isEmpty();
        assertThat(b.files.exists(uuid)).isFalse();
        assertThat(b.inFlight.contains(uuid)).isFalse();
    }

    @Test
    void aLiveArrivalIsClaimedWhenItRunsThereSoThatALostAdoptLeavesItTheDestinationsAndTheAdoptWritesNothingMore() {
        twoHosts(true);
        spawnOnA();
        ArrivalClaims claims = claimingOnArrival(b);
        claims.start();
        // a source that asks for no arrival notice (an agent before it): the claim waits for its adopt
        destinations.withoutNotices().loseNext(CommandName.MIGRATION_ADOPT);

        assertThatThrownBy(() -> a.migrateTo("b", true, null)).isInstanceOfSatisfying(CommandFailedException.class,
                e -> assertThat(e.getMessage()).contains("send migrate again"));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(b.store.find(uuid)).as("b's own now")
                .hasValueSatisfying(i -> assertThat(i.powerState()).isEqualTo(PowerState.RUNNING)));
        assertThat(OwnedInstancesDriver.owner(b.driver.info(uuid).metadata())).isEqualTo("b");
        assertThat(b.registry.find(uuid)).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(InstanceState.ACTIVE));
        assertThat(b.inFlight.contains(uuid)).as("in flight until its adopt").isTrue();
        int writes = b.driver.callCount(FakeOperation.UPDATE_ANNOTATIONS);

        Outcome again = a.migrate.handle(TestCommands.migrate("req-again", uuid,
                new MigrateArgs("b", true, null, 300, null, null)));

        assertThat(again.payload()).containsEntry("destination", "b").containsEntry("state", "ACTIVE");
        assertThat(b.driver.callCount(FakeOperation.UPDATE_ANNOTATIONS)).as("claimed on arrival, not again")
                .isEqualTo(writes);
        assertThat(b.inFlight.contains(uuid)).isFalse();
        assertThat(b.incoming.preparer(uuid)).isEmpty();
        claims.stop();
    }

    @Test
    void anArrivalClaimedOnItsArrivalWhoseSourceNeverAdoptsItIsSettledByTheExpiry() {
        twoHosts(true);
        spawnOnA();
        claimingOnArrival(b).start();
        // a source that asks for no arrival notice (an agent before it): the claim waits for its adopt
        destinations.withoutNotices().loseNext(CommandName.MIGRATION_ADOPT);
        assertThatThrownBy(() -> a.migrateTo("b", true, null)).isInstanceOf(CommandFailedException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.incoming.claimedOnArrival(uuid).isPresent());
        PreparedMigrationExpiry expiry = new PreparedMigrationExpiry(b.incoming, b.owned, Duration.ofMillis(1),
                (u, task) -> task.run(), b.securityGroups);

        await().atMost(Duration.ofSeconds(5)).until(() -> !b.incoming.overdue(Duration.ofMillis(1)).isEmpty());
        expiry.sweep();

        assertThat(b.inFlight.contains(uuid)).as("settled").isFalse();
        assertThat(b.incoming.preparer(uuid)).isEmpty();
        assertThat(b.store.find(uuid)).as("b's, running").hasValueSatisfying(
                i -> assertThat(i.powerState()).isEqualTo(PowerState.RUNNING));
        assertThat(b.files.disk(uuid)).exists();
    }

    @Test
    void aLiveMigrationEndsOnTheDestinationsNoticeThatItClaimedTheArrivalWithoutAnAdopt() {
        twoHosts(true);
        spawnOnA();
        ArrivalClaims claims = claimingOnArrival(b);
        claims.start();

        Outcome outcome = a.migrateTo("b", true, null);

        assertThat(outcome.payload()).as("b's view, from its notice").containsEntry("destination", "b")
                .containsEntry("host", "b").containsEntry("state", "ACTIVE").containsEntry("power_state", "RUNNING");
        assertThat(destinations.sent()).containsExactly("b:migration.prepare", "notice from b");
        assertThat(OwnedInstancesDriver.owner(b.driver.info(uuid).metadata())).isEqualTo("b");
        assertThat(b.registry.find(uuid)).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(InstanceState.ACTIVE));
        assertThat(b.inFlight.contains(uuid)).as("settled when it was claimed").isFalse();
        assertThat(b.incoming.preparer(uuid)).isEmpty();
        assertThat(a.registry.find(uuid)).isEmpty();
        assertThat(a.inFlight.contains(uuid)).isFalse();
        claims.stop();
    }

    @Test
    void aSourceWhoseArrivalNoticeWasLostAdoptsAndTheDestinationAnswersWithoutClaimingAgain() {
        twoHosts(true);
        spawnOnA();
        ArrivalClaims claims = claimingOnArrival(b);
        claims.start();
        destinations.loseNotices();

        Outcome outcome = a.migrateTo("b", true, null);

        assertThat(destinations.sent()).containsExactly("b:migration.prepare", "notice from b", "b:migration.adopt");
        assertThat(outcome.payload()).containsEntry("destination", "b").containsEntry("host", "b")
                .containsEntry("state", "ACTIVE");
        assertThat(b.driver.callCount(FakeOperation.UPDATE_ANNOTATIONS)).as("one claim: on the arrival").isOne();
        assertThat(b.inFlight.contains(uuid)).isFalse();
        assertThat(b.store.find(uuid)).hasValueSatisfying(i -> assertThat(i.powerState()).isEqualTo(PowerState.RUNNING));
        claims.stop();
    }

    @Test
    void anArrivalsSharedDirectoryIsTheDestinationsBeforeItsClaimIsWrittenSoAFailedClaimNeverFreesItForTheSource() {
        twoHosts(true);
        spawnOnA();
        // no claim on arrival here: the adopt's claim is the one write, and it fails
        b.driver.failNext(FakeOperation.UPDATE_ANNOTATIONS, new HypervisorException("metadata write refused"));

        assertThatThrownBy(() -> a.migrateTo("b", true, null)).isInstanceOfSatisfying(CommandFailedException.class,
                e -> assertThat(e.getMessage()).contains("send migrate again"));

        assertThat(OwnedInstancesDriver.owner(b.driver.info(uuid).metadata())).as("not claimed").isEqualTo("a");
        assertThat(b.files.owner(uuid)).as("but its directory is b's").contains("b");
        a.files.delete(uuid);
        assertThat(a.files.disk(uuid)).as("the disk b runs from").exists();

        Outcome again = a.migrate.handle(TestCommands.migrate("req-again", uuid,
                new MigrateArgs("b", true, null, 300, null, null)));

        assertThat(again.payload()).containsEntry("host", "b").containsEntry("state", "ACTIVE");
        assertThat(OwnedInstancesDriver.owner(b.driver.info(uuid).metadata())).isEqualTo("b");
    }

    @Test
    void anArrivalAnnouncedAfterItsAdoptIsLeftAlone() {
        twoHosts(true);
        spawnOnA();
        a.migrateTo("b", true, null);
        int writes = b.driver.callCount(FakeOperation.UPDATE_ANNOTATIONS);

        b.adopt.claimOnArrival(uuid);

        assertThat(b.driver.callCount(FakeOperation.UPDATE_ANNOTATIONS)).isEqualTo(writes);
        assertThat(b.incoming.claimedOnArrival(uuid)).isEmpty();
    }

    @Test
    void anInstanceMigratedThereCanMigrateBack() {
        twoHosts(false);
        spawnOnA();
        a.migrateTo("b", true, null);

        Outcome back = b.migrateTo("a", true, null);

        assertThat(back.payload()).containsEntry("destination", "a").containsEntry("host", "a");
        assertThat(a.registry.find(uuid)).isPresent();
        assertThat(b.registry.find(uuid)).isEmpty();
        assertThat(b.files.exists(uuid)).isFalse();
        assertThat(a.driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void sharedStorageIsDetectedAndNeitherCopiedNorRemoved() {
        twoHosts(true);
        spawnOnA();

        a.migrateTo("b", null, null);

        assertThat(destinations.sent()).as("the check within the prepare: one round trip before the move")
                .containsExactly("b:migration.prepare", "b:migration.adopt");
        assertThat(a.migrations.requests().get(0).storage()).isEqualTo(StorageMode.SHARED);
        assertThat(a.migrations.requests().get(0).pathRewrites()).isEmpty();
        assertThat(b.images.overlaysCreated()).isZero();
        assertThat(b.files.disk(uuid)).as("the shared disk stays").exists();
        assertThat(b.registry.find(uuid)).isPresent();
        try (var probes = Files.list(a.files.dir(uuid))) {
            assertThat(probes.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".shared-storage-probe"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aPrepareWithAProbeItDoesNotSeeAnswersTheCheckAndHoldsNothing() {
        twoHosts(false);
        Flavor big = new Flavor(1, 12_000, 1, 0);
        MigrationPrepareArgs prepare = new MigrationPrepareArgs("a", "big", big, "tiny", false, null, null, null, null)
                .withSharedStorageProbe(".shared-storage-probe-0123456789abcdef0123456789abcdef");

        MigrationReply reply = destinations.call("b", CommandName.MIGRATION_PREPARE, "r.prepare", uuid, prepare,
                Duration.ofSeconds(5));

        assertThat(reply.failed()).isFalse();
        assertThat(reply.payload()).containsEntry("prepared", false).containsEntry("shared_storage", false)
                .containsEntry("migration_uri", b.uri());
        assertThat(reply.replyOnly("state_dir")).contains(b.stateDir.toAbsolutePath().toString());
        assertThat(b.incoming.preparer(uuid)).as("nothing prepared").isEmpty();
        assertThat(b.files.exists(uuid)).isFalse();
        // nothing held: another agent's arrival and a spawn of the same size still fit
        assertThat(destinations.call("b", CommandName.MIGRATION_PREPARE, "r2.prepare", uuid, new MigrationPrepareArgs(
                "c", "big", big, "tiny", false, null, null, null, null), Duration.ofSeconds(5)).failed()).isFalse();
        assertThat(b.incoming.preparer(uuid)).contains("c");
    }

    @Test
    void aPrepareWithAProbeIsRefusedAsTheCheckWouldBeForAnInstanceTheDestinationHas() {
        twoHosts(false);
        b.spawn.handle(TestCommands.spawn("req-spawn-b", uuid, TestCommands.spawnArgs("web-1", new Flavor(1, 128, 1, 0),
                "tiny", List.of(), Map.of(), Optional.empty())));
        MigrationPrepareArgs prepare = new MigrationPrepareArgs("a", "web-1", new Flavor(1, 128, 1, 0), "tiny", false,
                null, null, null, null).withSharedStorageProbe(".shared-storage-probe-0123456789abcdef0123456789abcdef");

        MigrationReply reply = destinations.call("b", CommandName.MIGRATION_PREPARE, "r.prepare", uuid, prepare,
                Duration.ofSeconds(5));

        assertThat(reply.failed()).isTrue();
        assertThat(reply.error().code()).isEqualTo(ErrorCode.INSTANCE_EXISTS);
    }

    @Test
    void aDestinationOfTheVersionBeforeTheCheckWithinThePrepareIsAskedTheCheckAsWellOverSharedStorage() {
        twoHosts(true);
        spawnOnA();
        olderDestination(b);

        a.migrateTo("b", null, null);

        assertThat(destinations.sent()).as("it prepared without copy, unchecked; the check confirms the storage")
                .containsExactly("b:migration.prepare", "b:migration.check", "b:migration.adopt");
        assertThat(a.migrations.requests().get(0).storage()).isEqualTo(StorageMode.SHARED);
        assertThat(b.registry.find(uuid)).isPresent();
    }

    @Test
    void aDestinationOfTheVersionBeforeTheCheckWithinThePrepareIsPreparedAgainForACopy() {
        twoHosts(false);
        spawnOnA();
        olderDestination(b);

        a.migrateTo("b", null, null);

        assertThat(destinations.sent()).as("its unchecked prepare was without copy: prepared again for the copy")
                .containsExactly("b:migration.prepare", "b:migration.check", "b:migration.prepare",
                        "b:migration.adopt");
        assertThat(a.migrations.requests().get(0).storage()).isEqualTo(StorageMode.BLOCK_INCREMENTAL);
        assertThat(b.images.overlaysCreated()).isOne();
        assertThat(b.registry.find(uuid)).isPresent();
        assertThat(a.files.exists(uuid)).isFalse();
    }

    /** {@code agent}'s prepare as before the check within it: the probe is ignored (an unknown field to it). */
    private void olderDestination(Agent agent) {
        CommandHandler<MigrationPrepareArgs> older = TestCommands.handler(CommandName.MIGRATION_PREPARE, c ->
                agent.prepare.handle(new Command<>(c.requestId(), c.instanceUuid(), c.name(),
                        c.args().withSharedStorageProbe(null), c.sender(), c.senderReplyTo())));
        destinations.register(agent.host, List.of(agent.check, older, agent.adopt, agent.abortHere));
    }

    @Test
    void blockMigrationOntoSharedStorageIsRefusedBeforeAnythingIsPrepared() {
        twoHosts(true);
        spawnOnA();

        assertThatThrownBy(() -> a.migrateTo("b", null, true))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.getMessage()).contains("step check").contains("block_migration=true");
                });
        assertThat(destinations.sent()).containsExactly("b:migration.check");
        assertStillActiveOnA();
    }

    @Test
    void anUnknownDestinationFailsCleanlyAtTheFirstStep() {
        twoHosts(false);
        spawnOnA();

        assertThatThrownBy(() -> a.migrateTo("nowhere", null, null))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.getMessage()).contains("step prepare").contains("unknown destination nowhere");
                });
        assertThat(destinations.sent()).as("unrouted: nothing to abort").containsExactly("nowhere:migration.prepare");
        assertStillActiveOnA();
    }

    @Test
    void aDestinationWithoutTheImageRefusesAtPrepareAndIsToldToAbort() {
        twoHosts(false);
        spawnOnA();
        b.images.failFetch("tiny", () -> new ImageNotFoundException("no image tiny in the store"));

        assertThatThrownBy(() -> a.migrateTo("b", null, null))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.getMessage()).contains("step prepare").contains("IMAGE_NOT_FOUND");
                });
        assertThat(destinations.sent()).containsExactly("b:migration.prepare", "b:migration.prepare", "b:migration.abort");
        assertThat(b.files.exists(uuid)).isFalse();
        assertThat(b.inFlight.contains(uuid)).isFalse();
        assertStillActiveOnA();
    }

    @Test
    void aDestinationWithoutEnoughMemoryRefusesAtTheCheckWithinThePrepare() {
        a = new Agent("a", root.resolve("a"), new FakeComputeDriver());
        b = new Agent("b", root.resolve("b"), new FakeComputeDriver(
                new HostResources("small", 8, 64, "FAKE", "1.0.0", "qemu", "fake:///small")));
        spawnOnA();

        assertThatThrownBy(() -> a.migrateTo("b", null, null))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.getMessage()).contains("step prepare").contains("INSUFFICIENT_RESOURCES");
                });
        // refused by the check within the prepare
        assertThat(destinations.sent()).containsExactly("b:migration.prepare", "b:migration.abort");
        assertStillActiveOnA();
    }

    @Test
    void anIncomingMigrationHoldsItsMemoryFromPrepareUntilAbortAgainstSpawnsAndOtherArrivals() {
        twoHosts(false);
        MigrationPrepareArgs prepare = new MigrationPrepareArgs("a", "big", new Flavor(1, 12_000, 1, 0), "tiny",
                true, null, null, null, null);
        assertThat(destinations.call("b", CommandName.MIGRATION_PREPARE, "r.prepare", uuid, prepare,
                Duration.ofSeconds(5)).failed()).isFalse();

        UUID other = UUID.randomUUID();
        assertThatThrownBy(() -> b.spawn.handle(TestCommands.spawn("r-spawn", other, TestCommands.spawnArgs("vm",
                new Flavor(1, 12_000, 1, 0), "tiny", List.of(), Map.of(), Optional.empty()))))
                .isInstanceOfSatisfying(CommandFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES))
                .hasMessageContaining("those arriving");
        MigrationReply secondArrival = destinations.call("b", CommandName.MIGRATION_CHECK, "r2.check", other,
                new MigrationCheckArgs("c", new Flavor(1, 12_000, 1, 0), "tiny", null), Duration.ofSeconds(5));
        assertThat(secondArrival.failed()).isTrue();
        assertThat(secondArrival.error().code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);

        destinations.call("b", CommandName.MIGRATION_ABORT, "r.abort", uuid, new MigrationAbortArgs("a", null),
                Duration.ofSeconds(5));

        assertThat(b.spawn.handle(TestCommands.spawn("r-spawn", other, TestCommands.spawnArgs("vm",
                new Flavor(1, 12_000, 1, 0), "tiny", List.of(), Map.of(), Optional.empty()))).payload())
                .containsEntry("state", "ACTIVE");
    }

    @Test
    void aTimedOutTransferRollsBackTheDestinationAndReportsTimeout() {
        twoHosts(false);
        spawnOnA();
        a.migrations.failNext(new MigrationException(MigrationException.Step.MONITOR,
                MigrationException.Reason.TIMED_OUT, "completion timeout of 1 s reached", null));

        assertThatThrownBy(() -> a.migrateTo("b", null, null))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
                    assertThat(e.getMessage()).contains("step monitor").contains("timed out");
                });
        // not shared: the check within the prepare prepared nothing; the second prepare is for the copy
        assertThat(destinations.sent()).containsExactly("b:migration.prepare", "b:migration.prepare", "b:migration.abort");
        assertThat(b.files.exists(uuid)).as("prepared overlay removed").isFalse();
        assertThat(b.store.find(uuid)).isEmpty();
        assertStillActiveOnA();
    }

    @Test
    void aFailedPostCopyThatNeverReachedTheDestinationIsNotRetriableRollsNothingBackAndLeavesTheInstanceInErrorHere() {
        twoHosts(false);
        spawnOnA();
        a.migrations.failNext(new MigrationException(MigrationException.Step.TRANSFER,
                MigrationException.Reason.POST_COPY_FAILED, false, "failed during post-copy: connection reset", null));

        assertThatThrownBy(() -> a.migrateTo("b", null, null))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.getMessage()).contains("post copy failed").contains("runs on neither host");
                });
        assertThat(destinations.sent()).as("never told to abort: it may hold the newer half; asked to take it")
                .containsExactly("b:migration.prepare", "b:migration.prepare", "b:migration.adopt");
        assertThat(a.registry.find(uuid)).hasValueSatisfying(v -> {
            assertThat(v.state()).isEqualTo(InstanceState.ERROR);
            assertThat(v.lastError()).contains("post-copy migration to b failed").contains("b did not take it");
        });
        assertThat(a.inFlight.contains(uuid)).isFalse();
    }

    @Test
    void aPostCopyWhoseSourceLostTrackButTheDestinationCompletedEndsAsAMigrationWithTheDestinationItsOneOwner() {
        twoHosts(false);
        spawnOnA();
        a.migrations.loseNextAfterPostCopySwitch(IncomingState.ARRIVED);

        Outcome outcome = a.migrateTo("b", null, null);

        assertThat(outcome.payload()).containsEntry("host", "b").containsEntry("state", "ACTIVE")
                .containsEntry("completed_in", "POST_COPY");
        assertThat(destinations.sent()).containsExactly("b:migration.prepare", "b:migration.prepare", "b:migration.adopt");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(a.driver.specOf(uuid)).as("the stale copy here is removed").isEmpty());
        assertThat(a.registry.find(uuid)).isEmpty();
        assertThat(b.registry.find(uuid)).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(InstanceState.ACTIVE));
        assertThat(b.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void aPostCopyThatFailedOnTheDestinationIsNotRetriableAndLeavesTheInstanceOffInErrorThereItsOneOwner() {
        twoHosts(false);
        spawnOnA();
        a.migrations.loseNextAfterPostCopySwitch(IncomingState.POST_COPY_FAILED);

        migrateToBFailsAfterThePostCopyFailedThere();
        assertThat(destinations.sent()).containsExactly("b:migration.prepare", "b:migration.prepare", "b:migration.adopt");
        assertOneOwnerBWithTheInstanceOffInError();
    }

    @Test
    void aPostCopyWhoseSourceQemuEndedIsSettledAsFailedWhenTheDestinationStillWaitsForPagesAfterTheShortWait() {
        twoHosts(false);
        spawnOnA();
        // libvirt 9.0 was seen keeping the destination "running (post-copy)" for good once the source's QEMU died
        a.migrations.loseNextAfterPostCopySwitchWithTheSourceEnded(IncomingState.IN_PROGRESS);

        long start = System.nanoTime();
        migrateToBFailsAfterThePostCopyFailedThere();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the short wait, not the full settle")
                .isGreaterThanOrEqualTo(SOURCE_GONE_SETTLE).isLessThan(Duration.ofSeconds(30));
        assertOneOwnerBWithTheInstanceOffInError();
    }

    @Test
    void aStaleCopyLibvirtKeepsLockedIsLetGoAtOnceAndRemovedOnceItCanBeEvenAfterARestart() {
        twoHosts(false);
        spawnOnA();
        // libvirt keeps the failed post-copy job on the source's copy: every removal times out on its lock
        AtomicInteger removalTries = new AtomicInteger();
        a.driver.failAlways(FakeOperation.DESTROY, () -> {
            removalTries.incrementAndGet();
            return new OperationTimeoutException(
                    "cannot acquire state change lock (held by monitor=remoteDispatchDomainMigratePerform3Params)");
        });
        a.migrations.loseNextAfterPostCopySwitchWithTheSourceEnded(IncomingState.POST_COPY_FAILED);

        migrateToBFailsAfterThePostCopyFailedThere();

        assertThat(a.driver.specOf(uuid)).as("still defined: libvirt refuses its removal").isPresent();
        assertThat(a.store.find(uuid)).as("but no longer a's: one owner, b").isEmpty();
        assertThat(a.owned.listInstances()).extracting(InstanceInfo::uuid).doesNotContain(uuid);
        assertThat(b.registry.find(uuid)).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(InstanceState.ERROR));
        assertThatThrownBy(() -> a.owned.claim(uuid, "b")).as("never taken back for an arrival")
                .isInstanceOf(InstanceNotFoundException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> removalTries.get() > 0);
        assertThat(a.stateDir.resolve("released").resolve("a").resolve(uuid.toString())).exists();

        // the agent restarts before libvirt lets go: the copy is still not its own
        OwnedInstancesDriver restarted = new OwnedInstancesDriver(a.driver, "a", ReleasedInstances.in(a.stateDir, "a"));
        assertThat(restarted.listInstances()).extracting(InstanceInfo::uuid).doesNotContain(uuid);

        // libvirtd restarted (the job is gone): the next try removes it and forgets the release
        a.driver.clearFailures();
        try (StaleCopyRemoval afterRestart = new StaleCopyRemoval(restarted,
                BackgroundTasks.daemonScheduler("test-stale-copies"))) {
            afterRestart.removeAllSoon();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(a.driver.specOf(uuid)).isEmpty());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(a.stateDir.resolve("released").resolve("a").resolve(uuid.toString())).doesNotExist());
        }
    }

    @Test
    void aReleaseOnAStateDirectorySharedWithTheDestinationNeverHidesOrRemovesTheDestinationsInstance() {
        twoHosts(true);
        spawnOnA();
        a.driver.failAlways(FakeOperation.DESTROY, () -> new OperationTimeoutException(
                "cannot acquire state change lock (held by monitor=remoteDispatchDomainMigratePerform3Params)"));
        a.migrations.loseNextAfterPostCopySwitchWithTheSourceEnded(IncomingState.POST_COPY_FAILED);

        migrateToBFailsAfterThePostCopyFailedThere();
        assertThat(a.stateDir.resolve("released").resolve("a").resolve(uuid.toString())).exists();

        // b restarts on the same state directory while a's release is still recorded: b's instance stays b's
        OwnedInstancesDriver bRestarted = new OwnedInstancesDriver(b.driver, "b", ReleasedInstances.in(b.stateDir, "b"));
        assertThat(bRestarted.listInstances()).extracting(InstanceInfo::uuid).contains(uuid);
        try (StaleCopyRemoval removal = new StaleCopyRemoval(bRestarted,
                BackgroundTasks.daemonScheduler("test-stale-copies"))) {
            removal.removeAllSoon();
            bRestarted.removeReleased(); // after the queued try: b has released nothing, so nothing goes
        }
        assertThat(b.driver.specOf(uuid)).as("b's instance is not removed").isPresent();
        assertThat(bRestarted.info(uuid).uuid()).isEqualTo(uuid);
    }

    @Test
    void aPostCopyWhoseSourceQemuEndedAfterTheDestinationCompletedStillEndsAsAMigration() {
        twoHosts(false);
        spawnOnA();
        a.migrations.loseNextAfterPostCopySwitchWithTheSourceEnded(IncomingState.ARRIVED);

        Outcome outcome = a.migrateTo("b", null, null);

        assertThat(outcome.payload()).containsEntry("host", "b").containsEntry("state", "ACTIVE")
                .containsEntry("completed_in", "POST_COPY");
        assertThat(b.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(a.driver.specOf(uuid)).isEmpty());
    }

    @Test
    void coldMigrationWithoutSharedStorageMovesTheStoppedInstanceWithItsDiskAndStartsItThere() {
        twoHosts(false);
        spawnOnA();

        Outcome outcome = a.migrateTo("b", false, null);

        assertThat(outcome.payload()).containsEntry("destination", "b").containsEntry("host", "b")
                .containsEntry("state", "ACTIVE").containsEntry("power_state", "RUNNING");
        assertThat(destinations.sent()).containsExactly("b:migration.check", "b:migration.prepare", "b:migration.adopt");
        assertThat(a.migrations.requests()).singleElement()
                .satisfies(r -> assertThat(r.storage()).isEqualTo(StorageMode.BLOCK_INCREMENTAL));
        assertThat(a.driver.specOf(uuid)).as("gone here").isEmpty();
        assertThat(a.files.exists(uuid)).as("source directory removed").isFalse();
        assertThat(b.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(b.files.disk(uuid)).as("prepared overlay kept").exists();
        assertThat(b.registry.find(uuid)).isPresent();
    }

    @Test
    void aColdCopyWhoseAdoptWentUnansweredIsStartedThereWhenMigrateIsSentAgain() {
        twoHosts(false);
        spawnOnA();
        destinations.loseNext(CommandName.MIGRATION_ADOPT);

        assertThatThrownBy(() -> a.migrateTo("b", false, null))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> assertThat(e.retriable()).isTrue())
                .hasMessageContaining("send migrate again");
        assertThat(b.registry.find(uuid)).as("not adopted yet").isEmpty();

        // the re-sent migrate no longer finds the instance here, so it cannot say it was running
        Outcome outcome = a.migrateTo("b", false, null);

        assertThat(outcome.payload()).containsEntry("host", "b").containsEntry("state", "ACTIVE")
                .containsEntry("power_state", "RUNNING");
        assertThat(b.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void anInstanceWithALocalVolumeIsRefusedAndStaysHere() {
        twoHosts(false);
        spawnOnA();
        a.driver.updateAnnotations(uuid, AttachedVolumes.with(a.driver.info(uuid).metadata().annotations(),
                new AttachedVolumes.Entry("vol-1", "vdb", "iscsi", false)));

        assertThatThrownBy(() -> a.migrateTo("b", null, null)).isInstanceOfSatisfying(CommandFailedException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE);
                    assertThat(e.getMessage()).contains("vol-1");
                });
        assertThat(destinations.sent()).as("the destination is never asked").isEmpty();
        assertThat(a.driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
    }

    private static final String DESTINATION_PASSWORD = "chap-for-b-4711";

    @Test
    void aMigrateWithTheLongestRequestIdAsksEveryStepUnderAnIdTheDestinationAccepts() {
        twoHosts(false);
        spawnOnA();

        // not shared: prepare, prepare again for the copy, adopt; the destination validates each id as the agent does
        Outcome outcome = a.migrate.handle(TestCommands.migrate("r".repeat(128), uuid,
                new MigrateArgs("b", null, null, 300, null, null)));

        assertThat(outcome.payload()).containsEntry("destination", "b").containsEntry("state", "ACTIVE");
        assertThat(destinations.sent()).containsExactly("b:migration.prepare", "b:migration.prepare",
                "b:migration.adopt");
        assertThat(b.store.find(uuid)).isPresent();
    }

    @Test
    void aMigrateGivenTheStateChecksReadDoesNotReadTheInstanceAgain() {
        twoHosts(false);
        spawnOnA();
        int unread = infoReadsOnA(() -> a.migrateTo("b", null, null));
        assertThat(b.store.find(uuid)).isPresent();

        Optional<InstanceInfo> read = Optional.of(b.driver.info(uuid));
        int before = b.driver.callCount(FakeOperation.INFO);
        Outcome back = b.migrate.handle(TestCommands.migrate("req-back", uuid, new MigrateArgs("a", null, null, 300,
                null, null)), read);

        assertThat(back.payload()).containsEntry("destination", "a").containsEntry("state", "ACTIVE");
        assertThat(b.driver.callCount(FakeOperation.INFO) - before).isEqualTo(unread - 1);
        assertThat(a.store.find(uuid)).isPresent();
    }

    /** How often host a's compute driver was asked for an instance while {@code handling} ran. */
    private int infoReadsOnA(Runnable handling) {
        int before = a.driver.callCount(FakeOperation.INFO);
        handling.run();
        return a.driver.callCount(FakeOperation.INFO) - before;
    }

    private static ConnectionInfoArgs chapForB() {
        return new ConnectionInfoArgs("iscsi", new ConnectionInfoArgs.Data(null, null, null, null, "192.0.2.20:3260",
                "iqn.2010-10.org.openstack:volume-1", 1, "CHAP", "user-b", DESTINATION_PASSWORD, null, null, null,
                null));
    }

    private void attachChapVolumeOnA() {
        a.driver.updateAnnotations(uuid, AttachedVolumes.with(a.driver.info(uuid).metadata().annotations(),
                new AttachedVolumes.Entry("vol-1", "vdb", "iscsi", true)));
    }

    private Outcome migrateWithVolumes(List<MigrateVolumeArgs> volumes) {
        return a.migrate.handle(TestCommands.migrate("req-" + UUID.randomUUID(), uuid,
                new MigrateArgs("b", true, null, 300, null, null, volumes)));
    }

    @Test
    void aVolumeWithCredentialsMovesOpenedWithTheDestinationsConnectionAndASecretDefinedThereFirst() {
        twoHosts(false);
        spawnOnA();
        attachChapVolumeOnA();

        Outcome outcome = migrateWithVolumes(List.of(new MigrateVolumeArgs("vol-1", chapForB())));

        assertThat(outcome.payload()).containsEntry("host", "b");
        assertThat(outcome.payload().toString()).doesNotContain(DESTINATION_PASSWORD);
        UUID secret = DestinationVolume.secretOn("b", uuid, "vol-1");
        MigrationRequest request = a.migrations.requests().get(0);
        assertThat(request.destinationVolumes()).singleElement().satisfies(v -> {
            assertThat(v.device()).isEqualTo("vdb");
            assertThat(v.secret()).isEqualTo(secret);
            assertThat(v.connection().credentials().orElseThrow().username()).isEqualTo("user-b");
        });
        assertThat(request.keptDisks()).containsExactly("vdb");
        assertThat(request.toString()).doesNotContain(DESTINATION_PASSWORD);
        assertThat(b.migrations.incomingVolumeSecrets().get(uuid)).as("defined on b by prepare, kept: it arrived")
                .singleElement().satisfies(v -> assertThat(v.secret()).isEqualTo(secret));
        assertThat(AttachedVolumes.of(b.driver.info(uuid).metadata().annotations())).containsKey("vol-1");
    }

    @Test
    void aFailedMoveRemovesTheVolumeSecretsPrepareDefinedOnTheDestination() {
        twoHosts(false);
        spawnOnA();
        attachChapVolumeOnA();
        a.migrations.failNext(new MigrationException(MigrationException.Step.TRANSFER,
                MigrationException.Reason.DESTINATION_REFUSED, true, "cannot open vdb there", null));

        assertThatThrownBy(() -> migrateWithVolumes(List.of(new MigrateVolumeArgs("vol-1", chapForB()))))
                .isInstanceOfSatisfying(CommandFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED))
                .hasMessageNotContaining(DESTINATION_PASSWORD);

        assertThat(destinations.sent()).contains("b:migration.prepare", "b:migration.abort");
        assertThat(b.migrations.incomingVolumeSecrets()).as("no secret left on b").isEmpty();
        assertThat(a.driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void anAbortAfterTheDestinationForgotThePrepareStillRemovesTheVolumeSecretsOfAnInstanceItDoesNotHave() {
        twoHosts(false);
        // what a prepare defined before b's agent restarted (a live migration over shared storage leaves no marker)
        b.migrations.prepareIncomingVolumes(uuid, List.of(new DestinationVolume("vol-1", "vdb",
                chapForB().toConnection(), DestinationVolume.secretOn("b", uuid, "vol-1"))));

        assertThat(destinations.call("b", CommandName.MIGRATION_ABORT, "r.abort", uuid,
                new MigrationAbortArgs("a", "transfer failed"), Duration.ofSeconds(5)).failed()).isFalse();

        assertThat(b.migrations.incomingVolumeSecrets()).isEmpty();
    }

    @Test
    void aVolumeTheInstanceDoesNotHaveIsAnInvalidCommandAndTheDestinationIsNeverAsked() {
        twoHosts(false);
        spawnOnA();
        attachChapVolumeOnA();

        assertThatThrownBy(() -> migrateWithVolumes(List.of(new MigrateVolumeArgs("vol-9", chapForB()))))
                .isInstanceOfSatisfying(CommandFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_COMMAND))
                .hasMessageContaining("vol-9");

        assertThat(destinations.sent()).isEmpty();
        assertThat(a.driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void anExpiredPreparationRemovesTheVolumeSecretsItDefined() {
        twoHosts(false);
        UUID secret = DestinationVolume.secretOn("b", uuid, "vol-1");
        MigrationPrepareArgs prepare = new MigrationPrepareArgs("a", "web-1", new Flavor(1, 128, 1, 0), "tiny",
                false, null, null, null, null, null, null,
                List.of(new MigrationVolumeArgs("vol-1", "vdb", chapForB(), secret.toString())));
        assertThat(prepare.toString()).doesNotContain(DESTINATION_PASSWORD);
        assertThat(destinations.call("b", CommandName.MIGRATION_PREPARE, "r.prepare", uuid, prepare,
                Duration.ofSeconds(5)).failed()).isFalse();
        assertThat(b.migrations.incomingVolumeSecrets()).containsKey(uuid);
        PreparedMigrationExpiry expiry = new PreparedMigrationExpiry(b.incoming, b.owned, Duration.ofMillis(1),
                (u, task) -> task.run(), b.securityGroups);

        await().atMost(Duration.ofSeconds(5)).until(() -> !b.incoming.overdue(Duration.ofMillis(1)).isEmpty());
        expiry.sweep();

        assertThat(b.migrations.incomingVolumeSecrets()).isEmpty();
        assertThat(b.inFlight.contains(uuid)).isFalse();
    }

    @Test
    void aSharedVolumeStaysInPlaceAndTravelsWithTheInstance() {
        twoHosts(false);
        spawnOnA();
        a.driver.updateAnnotations(uuid, AttachedVolumes.with(a.driver.info(uuid).metadata().annotations(),
                new AttachedVolumes.Entry("vol-1", "vdc", "file", true)));

        Outcome outcome = a.migrateTo("b", true, null);

        assertThat(outcome.payload()).containsEntry("host", "b").containsEntry("state", "ACTIVE");
        MigrationRequest request = a.migrations.requests().get(0);
        assertThat(request.storage()).isEqualTo(StorageMode.BLOCK_INCREMENTAL);
        assertThat(request.keptDisks()).as("the volume is never copied").containsExactly("vdc");
        assertThat(request.unsafe()).as("not allowed by the default policy").isFalse();
        assertThat(AttachedVolumes.of(b.driver.info(uuid).metadata().annotations()))
                .containsKey("vol-1");
    }

    @Test
    void aColdHandOverCannotCarryVolumesAndIsRefusedBeforeThePrepare() {
        twoHosts(true);
        spawnOnA();
        a.driver.updateAnnotations(uuid, AttachedVolumes.with(a.driver.info(uuid).metadata().annotations(),
                new AttachedVolumes.Entry("vol-1", "vdb", "file", true)));

        assertThatThrownBy(() -> a.migrateTo("b", false, null)).isInstanceOfSatisfying(CommandFailedException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.getMessage()).contains("step check").contains("vol-1");
                });
        assertThat(destinations.sent()).containsExactly("b:migration.check");
        assertThat(a.driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void coldMigrationOverSharedStorageKeepsTheNicsFilteredThere() {
        twoHosts(true);
        SecurityRuleArgs ssh = new SecurityRuleArgs("ingress", "tcp", new SecurityRuleArgs.PortRange(22, 22), null,
                null);
        a.spawn.handle(TestCommands.spawn("req-spawn", uuid, new SpawnArgs("web-1", new Flavor(1, 128, 1, 0), "tiny",
                null, null, null, null, List.of(ssh))));

        a.migrateTo("b", false, null);

        assertThat(b.migrations.defined()).singleElement().satisfies(spec -> {
            assertThat(spec.securityGroups()).as("its NICs reference the filter prepare made").isTrue();
            assertThat(spec.metadata().annotations()).containsKey("security_groups");
        });
        assertThat(b.securityGroups.rules(uuid)).contains(List.of(ssh.toRule()));
    }

    @Test
    void coldMigrationOfAStoppedInstanceLeavesItStoppedThere() {
        twoHosts(false);
        spawnOnA();
        a.driver.stop(uuid, Duration.ZERO);
        a.store.record(uuid, InstanceState.STOPPED, null);

        Outcome outcome = a.migrateTo("b", false, null);

        assertThat(outcome.payload()).containsEntry("state", "STOPPED").containsEntry("power_state", "SHUTDOWN");
        assertThat(b.owned.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
        assertThat(b.driver.bootCount(uuid)).as("the adopt did not start it").isEqualTo(1);
    }

    @Test
    void aFailedColdCopyRunsTheInstanceHereAgainAndRemovesThePreparedOverlay() {
        twoHosts(false);
        spawnOnA();
        a.migrations.failNext(new MigrationException(MigrationException.Step.TRANSFER,
                MigrationException.Reason.DESTINATION_UNREACHABLE, false, "injected", null));

        assertThatThrownBy(() -> a.migrateTo("b", false, null))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.getMessage()).contains("step transfer").contains("stays on the source");
                });
        assertThat(destinations.sent()).containsExactly("b:migration.check", "b:migration.prepare", "b:migration.abort");
        assertThat(b.files.exists(uuid)).as("prepared overlay removed").isFalse();
        assertStillActiveOnA();
    }

    @Test
    void coldMigrationOverSharedStorageStopsHereAndStartsThere() {
        twoHosts(true);
        spawnOnA();

        Outcome outcome = a.migrateTo("b", false, null);

        assertThat(outcome.payload()).containsEntry("destination", "b").containsEntry("host", "b")
                .containsEntry("state", "ACTIVE").containsEntry("power_state", "RUNNING");
        assertThat(destinations.sent()).containsExactly("b:migration.check", "b:migration.prepare", "b:migration.adopt");
        assertThat(a.driver.specOf(uuid)).as("undefined here").isEmpty();
        assertThat(a.registry.all()).isEmpty();
        assertThat(b.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(b.registry.find(uuid)).isPresent();
        assertThat(b.files.disk(uuid)).as("the shared disk stays").exists();
        assertThat(a.migrations.requests()).as("no live transfer").isEmpty();
        // b rendered it itself from the typed hand-over: b as the owner, b's own instance files
        assertThat(b.migrations.defined()).singleElement().satisfies(spec -> {
            assertThat(spec.metadata().ownerHost()).isEqualTo("b");
            assertThat(spec.metadata().name()).isEqualTo("web-1");
            assertThat(spec.metadata().userMetadata()).containsEntry("team", "a");
            assertThat(spec.metadata().annotations()).containsKeys("spec_sha256", "created_at", "spawn_request");
            assertThat(spec.disks()).extracting(d -> d.path()).containsExactly(b.files.disk(uuid));
            assertThat(spec.consoleLog()).isEqualTo(b.files.consoleLog(uuid));
        });
    }

    @Test
    void adoptAndAbortAreAcceptedOnlyFromTheSourceThatPreparedTheMigration() throws Exception {
        twoHosts(true);
        MigrationPrepareArgs prepare = new MigrationPrepareArgs("a", "web-1", new Flavor(1, 128, 1, 0), "tiny",
                false, null, null, null, null);
        assertThat(destinations.call("b", CommandName.MIGRATION_PREPARE, "p.prepare", uuid, prepare,
                Duration.ofSeconds(5)).failed()).isFalse();
        Files.createDirectories(b.files.dir(uuid));
        MigratedInstance hostile = new MigratedInstance("evil", new Flavor(1, 128, 1, 0), "tiny", List.of(),
                Map.of(), null, null, null, null);

        MigrationReply adoptByC = destinations.call("b", CommandName.MIGRATION_ADOPT, "c.adopt", uuid,
                new MigrationAdoptArgs("c", "c", hostile, true), Duration.ofSeconds(5));
        MigrationReply abortByC = destinations.call("b", CommandName.MIGRATION_ABORT, "c.abort", uuid,
                new MigrationAbortArgs("c", "mine now"), Duration.ofSeconds(5));
        MigrationReply prepareByC = destinations.call("b", CommandName.MIGRATION_PREPARE, "c.prepare", uuid,
                new MigrationPrepareArgs("c", "evil", new Flavor(1, 128, 1, 0), "tiny", false, null, null, null,
                        null), Duration.ofSeconds(5));

        for (MigrationReply refused : List.of(adoptByC, abortByC, prepareByC)) {
            assertThat(refused.error()).isNotNull();
            assertThat(refused.error().code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
            assertThat(refused.error().message()).contains("prepared by a").contains("not by c");
        }
        assertThat(b.migrations.defined()).as("nothing defined for c").isEmpty();
        assertThat(b.inFlight.contains(uuid)).as("a's migration still pending").isTrue();
        assertThat(destinations.call("b", CommandName.MIGRATION_ABORT, "a.abort", uuid,
                new MigrationAbortArgs("a", null), Duration.ofSeconds(5)).failed()).isFalse();
        assertThat(b.inFlight.contains(uuid)).isFalse();
    }

    @Test
    void aColdAdoptNobodyPreparedDefinesNothing() throws Exception {
        twoHosts(true);
        Files.createDirectories(b.files.dir(uuid));
        MigratedInstance instance = new MigratedInstance("web-1", new Flavor(1, 128, 1, 0), "tiny", List.of(),
                Map.of(), null, null, null, null);

        MigrationReply adopted = destinations.call("b", CommandName.MIGRATION_ADOPT, "x.adopt", uuid,
                new MigrationAdoptArgs("a", "x", instance, true), Duration.ofSeconds(5));

        assertThat(adopted.error()).isNotNull();
        assertThat(adopted.error().message()).contains("no migration of " + uuid + " from a was prepared here");
        assertThat(b.migrations.defined()).isEmpty();
        assertThat(b.driver.specOf(uuid)).isEmpty();
    }

    @Test
    void anInternalCommandWithoutAnAuthenticatedSenderOrNamingAnotherHostIsRefused() {
        twoHosts(false);
        MigrationCheckArgs check = new MigrationCheckArgs("a", new Flavor(1, 128, 1, 0), "tiny", null);
        Command<MigrationCheckArgs> unsigned = Command.of("r", uuid, CommandName.MIGRATION_CHECK, check);

        assertThatThrownBy(() -> b.check.handle(unsigned)).isInstanceOfSatisfying(CommandFailedException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_COMMAND);
            assertThat(e.getMessage()).contains("not authenticated");
        });
        assertThatThrownBy(() -> b.check.handle(unsigned.sentBy("c"))).isInstanceOfSatisfying(
                CommandFailedException.class, e -> assertThat(e.getMessage()).contains("args.source_host a is not the sender c"));
        assertThat(b.check.handle(unsigned.sentBy("a")).payload()).as("the state directory goes to the requester only")
                .containsEntry("reply_only", Map.of("state_dir", b.stateDir.toAbsolutePath().toString()));
    }

    @Test
    void coldMigrationRefusedAtAdoptLeavesNothingThereAndRunsHereAgain() {
        twoHosts(true);
        spawnOnA();
        b.driver.failNext(FakeOperation.START, new HypervisorException("cannot start"));

        assertThatThrownBy(() -> a.migrateTo("b", false, null))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.getMessage()).contains("step adopt").contains("cannot start");
                });
        assertThat(destinations.sent()).containsExactly("b:migration.check", "b:migration.prepare",
                "b:migration.adopt", "b:migration.abort");
        assertThat(b.driver.specOf(uuid)).as("the imported definition was removed").isEmpty();
        assertStillActiveOnA();
    }

    @Test
    void anUnknownInstanceIsInstanceNotFound() {
        twoHosts(false);

        assertThatThrownBy(() -> a.migrateTo("b", null, null))
                .isInstanceOfSatisfying(CommandFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_NOT_FOUND));
        assertThat(destinations.sent()).as("the destination was only asked").containsExactly("b:migration.adopt");
        assertThat(b.registry.all()).isEmpty();
    }

    @Test
    void anArrivedInstanceIsTheSourcesUntilTheDestinationAdoptsIt() {
        twoHosts(false);
        spawnOnA();
        // the hypervisor part alone, no adopt: what a destination sees mid-migration
        a.migrations.migrateLive(uuid, MigrationRequest.to(b.uri()).build(), p -> { });

        assertThat(b.driver.info(uuid).metadata().ownerHost()).isEqualTo("a");
        assertThat(b.owned.listInstances()).isEmpty();
        assertThat(b.store.find(uuid)).isEmpty();
        assertThatThrownBy(() -> b.owned.info(uuid)).isInstanceOf(InstanceNotFoundException.class);
        assertThatThrownBy(() -> b.owned.stop(uuid, Duration.ZERO))
                .isInstanceOf(InstanceNotFoundException.class);
        b.owned.destroy(uuid);
        assertThat(b.driver.info(uuid).powerState()).as("a foreign instance is never destroyed")
                .isEqualTo(PowerState.RUNNING);

        assertThatThrownBy(() -> b.owned.claim(uuid, "c")).as("never taken from a third host")
                .isInstanceOf(InstanceNotFoundException.class);
        b.owned.claim(uuid, "a");

        assertThat(b.owned.listInstances()).extracting(i -> i.uuid()).containsExactly(uuid);
        assertThat(OwnedInstancesDriver.owner(b.owned.info(uuid).metadata())).isEqualTo("b");
    }

    @Test
    void aRedeliveredMigrateWhoseGuestAlreadyMovedIsFinishedByAnAdopt() {
        twoHosts(false);
        spawnOnA();
        // first run: the guest moved, then the source agent died before adopt
        a.migrations.migrateLive(uuid, MigrationRequest.to(b.uri()).storage(StorageMode.BLOCK_INCREMENTAL).build(),
                p -> { });
        a.store.forget(uuid);

        Outcome outcome = a.migrateTo("b", null, null);

        assertThat(outcome.payload()).containsEntry("destination", "b").containsEntry("host", "b");
        assertThat(destinations.sent()).containsExactly("b:migration.adopt");
        assertThat(b.registry.find(uuid)).isPresent();
        assertThat(a.files.exists(uuid)).isFalse();
    }

    @Test
    void aRedeliveredMigrateOverSharedStorageLeavesTheDirectoryTheDestinationRunsFrom() {
        twoHosts(true);
        spawnOnA();
        // first run: the guest moved over the shared directory, then the source agent died before adopt
        a.migrations.migrateLive(uuid, MigrationRequest.to(b.uri()).storage(StorageMode.SHARED).build(), p -> { });
        a.store.forget(uuid);

        Outcome outcome = a.migrateTo("b", null, null);

        assertThat(outcome.payload()).containsEntry("destination", "b");
        assertThat(b.files.disk(uuid)).as("b runs from it").exists();
        assertThat(b.files.owner(uuid)).contains("b");
    }

    @Test
    void aStaleDeleteOrSpawnOnTheSourceAfterASharedMigrationLeavesTheDestinationsDirectory() throws IOException {
        twoHosts(true);
        spawnOnA();
        a.migrateTo("b", true, null);
        byte[] disk = Files.readAllBytes(b.files.disk(uuid));

        Outcome deleted = new DeleteHandler(a.owned, a.store, a.files, a.securityGroups)
                .handle(TestCommands.delete("stale-delete", uuid));
        assertThatThrownBy(() -> a.spawn.handle(TestCommands.spawn("stale-spawn", uuid, TestCommands.spawnArgs("web-1",
                new Flavor(1, 128, 1, 0), "tiny", List.of(), Map.of(), Optional.empty()))))
                .isInstanceOfSatisfying(CommandFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_EXISTS));

        assertThat(deleted.payload()).as("not a's: deleted as far as a goes").containsEntry("state", "DELETED");
        assertThat(b.files.disk(uuid)).exists();
        assertThat(Files.readAllBytes(b.files.disk(uuid))).as("untouched").isEqualTo(disk);
        assertThat(b.store.find(uuid)).isPresent();
        new DeleteHandler(b.owned, b.store, b.files, b.securityGroups).handle(TestCommands.delete("delete", uuid));
        assertThat(b.files.exists(uuid)).as("its owner's delete removes it").isFalse();
    }

    @Test
    void theOwnersDeleteRemovesASharedDirectoryThatAnOlderAgentLeftNamingTheSource() throws IOException {
        twoHosts(true);
        spawnOnA();
        a.migrateTo("b", true, null);
        // migrated by an agent before the owner record: the directory still names a, its creator
        Files.delete(b.files.dir(uuid).resolve(".owner"));
        assertThat(b.files.owner(uuid)).contains("a");

        new DeleteHandler(b.owned, b.store, b.files, b.securityGroups).handle(TestCommands.delete("delete", uuid));

        assertThat(b.files.exists(uuid)).isFalse();
    }

    @Test
    void aSpawnOfAnInstanceArrivingByABlockMigrationNeverTouchesItsPreparedDirectory() {
        twoHosts(false);
        assertThat(destinations.call("b", CommandName.MIGRATION_PREPARE, "r.prepare", uuid, new MigrationPrepareArgs(
                "a", "web-1", new Flavor(1, 128, 1, 0), "tiny", true, null, null, null, null, null),
                Duration.ofSeconds(5)).failed()).isFalse();

        assertThatThrownBy(() -> b.spawn.handle(TestCommands.spawn("spawn-there", uuid, TestCommands.spawnArgs("web-1",
                new Flavor(1, 128, 1, 0), "tiny", List.of(), Map.of(), Optional.empty()))))
                .isInstanceOfSatisfying(CommandFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_EXISTS));

        assertThat(b.files.disk(uuid)).as("the overlay the copy fills").exists();
        assertThat(b.files.preparedForArrival(uuid)).isTrue();
    }

    @Test
    void abortNeverRemovesAnInstanceTheDestinationHas() {
        twoHosts(false);
        spawnOnA();
        a.migrateTo("b", null, null);

        destinations.call("b", CommandName.MIGRATION_ABORT, "req-x.abort", uuid,
                new MigrationAbortArgs("a", "late abort"), Duration.ofSeconds(1));

        assertThat(b.store.find(uuid)).isPresent();
        assertThat(b.files.disk(uuid)).exists();
    }

    @Test
    void abortNeverRemovesAGuestThatArrivedAndWasNotAdoptedYet() {
        twoHosts(false);
        spawnOnA();
        assertThat(destinations.call("b", CommandName.MIGRATION_PREPARE, "r.prepare", uuid,
                new MigrationPrepareArgs("a", "web-1", new Flavor(1, 128, 1, 0), "tiny", true, null, null, null, null),
                Duration.ofSeconds(5)).failed()).isFalse();
        a.migrations.migrateLive(uuid, MigrationRequest.to(b.uri()).build(), p -> { });

        destinations.call("b", CommandName.MIGRATION_ABORT, "r.abort", uuid, new MigrationAbortArgs("a", "late"),
                Duration.ofSeconds(1));

        assertThat(b.driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(b.files.disk(uuid)).as("the running guest's disk").exists();
    }

    @Test
    void migrateAbortDuringTheTransferKeepsTheInstanceHereAndCleansTheDestination() throws Exception {
        twoHosts(false);
        spawnOnA();
        FakeMigrationDriver.Hold transfer = a.migrations.holdNextTransfer();
        CompletableFuture<Outcome> migrating = CompletableFuture.supplyAsync(() -> a.migrateTo("b", null, null));
        await().atMost(Duration.ofSeconds(10)).until(transfer::reached);
        assertThat(a.registry.find(uuid)).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(InstanceState.MIGRATING));
        assertThat(Annotations.state(a.driver.info(uuid).metadata(), PowerState.RUNNING))
                .as("MIGRATING is shown, not stored: an agent restarted now finds the instance ACTIVE")
                .isEqualTo(InstanceState.ACTIVE);

        Outcome aborted = a.abort.handle(TestCommands.migrateAbort("req-abort", uuid));

        assertThat(aborted.payload()).containsEntry("state", "ACTIVE").containsEntry("power_state", "RUNNING")
                .containsEntry("destination", "b").containsKey("cancelled_request_id");
        assertThat(migrating).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.getMessage()).contains("cancelled by migrate_abort req-abort");
                    assertThat(e.retriable()).isFalse();
                });
        assertThat(destinations.sent()).containsExactly("b:migration.prepare", "b:migration.prepare", "b:migration.abort");
        assertThat(b.files.exists(uuid)).as("prepared disks removed").isFalse();
        assertThat(b.driver.listInstances()).isEmpty();
        assertStillActiveOnA();
        // nothing of the cancelled migration holds the destination: the next one goes through
        assertThat(a.migrateTo("b", null, null).payload()).containsEntry("host", "b");
    }

    @Test
    void migrateAbortDuringPostCopyAnswersTooLateAtOnceAndTheMigrationCompletes() throws Exception {
        twoHosts(false);
        spawnOnA();
        FakeMigrationDriver.Hold transfer = a.migrations.holdNextTransfer().inPhase(MigrationProgress.Phase.POST_COPY);
        CompletableFuture<Outcome> migrating = CompletableFuture.supplyAsync(() -> a.migrateTo("b", null, null));
        await().atMost(Duration.ofSeconds(10)).until(transfer::reached);

        assertThatThrownBy(() -> a.abort.handle(TestCommands.migrateAbort("req-abort", uuid)))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE);
                    assertThat(e.retriable()).isFalse();
                })
                .hasMessageContaining("too late to cancel");
        transfer.release();

        assertThat(migrating).succeedsWithin(Duration.ofSeconds(10))
                .satisfies(o -> assertThat(o.payload()).containsEntry("host", "b"));
    }

    @Test
    void migrateAbortBeforeTheTransferStopsTheMigrationThere() {
        twoHosts(false);
        spawnOnA();
        OutgoingMigrations.Running running = a.outgoing.begin(uuid, "req-m", "b");
        assertThat(running.cancel("req-abort")).isEqualTo(OutgoingMigrations.Cancel.BEFORE_TRANSFER);

        assertThat(running.enterTransfer()).as("a cancelled migration never starts its transfer").isFalse();
        assertThat(running.passPointOfNoReturn()).isFalse();
        assertThat(running.cancelledBy()).contains("req-abort");
    }

    @Test
    void migrateAbortAfterTheSwitchOverAnswersTooLateAndWithoutAMigrationThatThereIsNone() {
        twoHosts(false);
        spawnOnA();
        OutgoingMigrations.Running running = a.outgoing.begin(uuid, "req-m", "b");
        assertThat(running.enterTransfer()).isTrue();
        running.movedByHypervisor();

        assertThatThrownBy(() -> a.abort.handle(TestCommands.migrateAbort("req-abort", uuid)))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE);
                    assertThat(e.retriable()).isFalse();
                })
                .hasMessageContaining("too late to cancel").hasMessageContaining("runs there");
        assertThat(running.cancelledBy()).isEmpty();
        a.outgoing.end(uuid, running, true);

        assertThatThrownBy(() -> a.abort.handle(TestCommands.migrateAbort("req-abort-2", uuid)))
                .isInstanceOf(CommandFailedException.class).hasMessageContaining("no migration of " + uuid);
    }

    @Test
    void aPreparedMigrationNeverAdoptedNorAbortedExpiresAndTheDestinationCleansUp() {
        twoHosts(false);
        MigrationPrepareArgs prepare = new MigrationPrepareArgs("a", "big", new Flavor(1, 12_000, 1, 0), "tiny",
                true, null, null, null, null);
        assertThat(destinations.call("b", CommandName.MIGRATION_PREPARE, "r.prepare", uuid, prepare,
                Duration.ofSeconds(5)).failed()).isFalse();
        assertThat(b.files.disk(uuid)).exists();
        List<UUID> queued = new CopyOnWriteArrayList<>();
        PreparedMigrationExpiry expiry = new PreparedMigrationExpiry(b.incoming, b.owned, Duration.ofMillis(50),
                (u, task) -> {
                    queued.add(u);
                    task.run();
                }, b.securityGroups);

        expiry.sweep();
        assertThat(queued).as("not overdue yet").isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            expiry.sweep();
            assertThat(b.files.exists(uuid)).isFalse();
        });

        assertThat(queued).containsExactly(uuid);
        assertThat(b.inFlight.contains(uuid)).isFalse();
        UUID other = UUID.randomUUID();
        assertThat(b.spawn.handle(TestCommands.spawn("r-spawn", other, TestCommands.spawnArgs("vm",
                new Flavor(1, 12_000, 1, 0), "tiny", List.of(), Map.of(), Optional.empty()))).payload())
                .as("the reservation was released").containsEntry("state", "ACTIVE");
        assertThat(destinations.call("b", CommandName.MIGRATION_ADOPT, "r.adopt", uuid,
                new MigrationAdoptArgs("a", "r", null, null), Duration.ofSeconds(5)).failed())
                .as("nothing left to adopt").isTrue();
    }

    @Test
    void anExpiredPreparationNeverTouchesAnInstanceTheHypervisorHasHere() {
        twoHosts(false);
        spawnOnA();
        MigrationPrepareArgs prepare = new MigrationPrepareArgs("a", "web-1", new Flavor(1, 128, 1, 0), "tiny",
                true, null, null, null, null);
        assertThat(destinations.call("b", CommandName.MIGRATION_PREPARE, "r.prepare", uuid, prepare,
                Duration.ofSeconds(5)).failed()).isFalse();
        // the transfer runs (or ended) and the adopt never came: the guest is on b's hypervisor
        a.migrations.migrateLive(uuid, MigrationRequest.to(b.uri()).build(), p -> { });
        PreparedMigrationExpiry expiry = new PreparedMigrationExpiry(b.incoming, b.owned, Duration.ofMillis(1),
                (u, task) -> task.run(), b.securityGroups);

        await().atMost(Duration.ofSeconds(5)).until(() -> !b.incoming.overdue(Duration.ofMillis(1)).isEmpty());
        expiry.sweep();

        assertThat(b.driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(b.files.disk(uuid)).exists();
        assertThat(b.inFlight.contains(uuid)).as("still held for its adopt").isTrue();
    }

    private void assertStillActiveOnA() {
        assertThat(a.driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(a.registry.find(uuid)).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(InstanceState.ACTIVE));
        assertThat(a.driver.info(uuid).metadata().annotations()).containsEntry("state", "ACTIVE");
        assertThat(a.files.disk(uuid)).exists();
        assertThat(a.inFlight.contains(uuid)).isFalse();
        assertThat(b.registry.find(uuid)).isEmpty();
    }

    /** {@code migrate} to b answers: not retriable, post-copy failed, the instance ERROR on b. */
    private void migrateToBFailsAfterThePostCopyFailedThere() {
        assertThatThrownBy(() -> a.migrateTo("b", null, null))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.getMessage()).contains("post copy failed").contains("ERROR on b");
                });
    }

    /** a has nothing of the instance once its stale copy is removed; b owns it, off and ERROR. */
    private void assertOneOwnerBWithTheInstanceOffInError() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(a.driver.specOf(uuid)).as("the stale copy here is removed").isEmpty());
        assertThat(a.registry.find(uuid)).isEmpty();
        assertThat(b.registry.find(uuid)).hasValueSatisfying(v -> {
            assertThat(v.state()).isEqualTo(InstanceState.ERROR);
            assertThat(v.lastError()).contains("post-copy migration from a failed");
        });
        assertThat(b.owned.info(uuid).powerState()).as("it can never run on").isEqualTo(PowerState.SHUTDOWN);
    }
}

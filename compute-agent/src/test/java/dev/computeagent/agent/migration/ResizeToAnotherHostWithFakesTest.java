package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.execution.BackgroundTasks;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.handler.ConfirmResizeHandler;
import dev.computeagent.agent.handler.MovedResizeEnd;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.ResizeArrival;
import dev.computeagent.agent.handler.ResizeCompletion;
import dev.computeagent.agent.handler.ResizeEnding;
import dev.computeagent.agent.handler.ResizeHandler;
import dev.computeagent.agent.handler.ResizeRecovery;
import dev.computeagent.agent.handler.RevertResizeHandler;
import dev.computeagent.agent.handler.SpawnHandler;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigrationResizeEndArgs;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.message.ResizeArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.AttachedVolumes;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.MigrationProgressBoard;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord.Phase;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import dev.computeagent.virt.fake.FakeSecurityGroupDriver;
import dev.computeagent.virt.migration.FakeMigrationDriver;
import dev.computeagent.virt.migration.StorageMode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resize to another host, both agents on fakes talking through the validated in-process destinations:
 * the move with the new flavor, who owns what after it, confirm and revert from the destination, the
 * refusals, and a resize whose adopt went unanswered finished by sending it again.
 */
class ResizeToAnotherHostWithFakesTest {

    static final Flavor OLD = new Flavor(1, 128, 1, 0);
    static final Flavor NEW = new Flavor(2, 256, 2, 1);

    @TempDir
    Path root;

    private final FakeMigrationDriver.Network network = new FakeMigrationDriver.Network();
    private final InProcessDestinations destinations = new InProcessDestinations();
    private final UUID uuid = UUID.randomUUID();
    private Agent a;
    private Agent b;

    /** One host's agent, with what a resize needs on either side. */
    private final class Agent {
        final String host;
        final FakeComputeDriver driver = new FakeComputeDriver();
        final OwnedInstancesDriver owned;
        final FakeImageCache images = new FakeImageCache();
        final InstanceRegistry registry;
        final InstanceStore store;
        final InstanceFiles files;
        final ResizeFiles resizeFiles;
        final ResizeHandler resize;
        final ConfirmResizeHandler confirm;
        final RevertResizeHandler revert;
        final ResizeRecovery recovery;
        final SpawnHandler spawn;
        final FakeMigrationDriver migrations;

        Agent(String host) {
            this.host = host;
            driver.setCheckDiskFiles(false);
            owned = new OwnedInstancesDriver(driver, host);
            registry = new InstanceRegistry(host);
            store = new InstanceStore(owned, registry);
            files = new InstanceFiles(root.resolve(host), host);
            resizeFiles = new ResizeFiles(files);
            network.register("fake://" + host + "/system", driver);
            migrations = new FakeMigrationDriver(driver, network);
            HostCapacity capacity = new HostCapacity(owned, files, registry);
            MigrationsInFlight inFlight = new MigrationsInFlight();
            IncomingMigrations incoming = new IncomingMigrations(files, inFlight, capacity, migrations);
            InstanceProvisioner provisioner = new InstanceProvisioner(images, files, ConfigDrives.builder());
            FakeSecurityGroupDriver groups = new FakeSecurityGroupDriver();
            ResizeArrival arrival = new ResizeArrival(owned, images, files, resizeFiles, provisioner, store);
            DestinationCheck checks = new DestinationCheck(store, files, capacity, "fake://" + host + "/system",
                    root.resolve(host));
            destinations.register(host, List.of(new MigrationCheckHandler(checks),
                    new MigrationPrepareHandler(incoming, images, files, provisioner, capacity, checks, groups),
                    new MigrationAdoptHandler(incoming, owned, migrations, images, store, files, provisioner, host,
                            resizeFiles, arrival, destinations.notices(host)),
                    new MigrationAbortHandler(incoming, owned, groups),
                    new ResizeSourceConfirmHandler(resizeFiles, files, store),
                    ResizeSourceRevertHandler.create(resizeFiles, store, owned, migrations, provisioner, images, groups,
                            host)));
            MigrateHandler migrate = new MigrateHandler(owned, migrations, destinations, store, files, inFlight,
                    new OutgoingMigrations(), host, root.resolve(host), MigrationTimeouts.DEFAULTS,
                    MigrationPolicy.DEFAULTS, new MigrationProgressReporting(new MigrationProgressBoard(), (u, r, p) -> { },
                    Duration.ofSeconds(2)), groups,
                    new StaleCopyRemoval(owned, BackgroundTasks.daemonScheduler("test-stale-copies")));
            ResizeToAnotherHost across = new ResizeToAnotherHost(migrate, destinations, resizeFiles,
                    MigrationTimeouts.DEFAULTS, host);
            ResizeCompletion completion = new ResizeCompletion(owned, store, resizeFiles, provisioner);
            MovedResizeEnd moved = new MovedResizeEnd(owned, store, files, resizeFiles, across, host, groups);
            ResizeEnding ending = new ResizeEnding(owned, store, resizeFiles);
            resize = new ResizeHandler(owned, images, store, files, resizeFiles, provisioner, capacity, completion,
                    across);
            confirm = new ConfirmResizeHandler(ending, completion, moved);
            revert = new RevertResizeHandler(ending, completion, moved);
            recovery = new ResizeRecovery(owned, store, resizeFiles, completion, arrival, moved);
            spawn = TestSpawns.handler(owned, images, registry, files, ConfigDrives.builder(), ConfigDrives.OPTIONS,
                    capacity, host, new SimpleMeterRegistry());
        }

        Outcome resizeTo(String request, Flavor flavor, String destination) {
            return resize.handle(Command.of(request, uuid, CommandName.RESIZE, new ResizeArgs(flavor, 0, destination)));
        }

        Outcome confirm(String request) {
            return confirm.handle(Command.of(request, uuid, CommandName.CONFIRM_RESIZE, NoArgs.INSTANCE));
        }

        Outcome revert(String request) {
            return revert.handle(Command.of(request, uuid, CommandName.REVERT_RESIZE, NoArgs.INSTANCE));
        }
    }

    @BeforeEach
    void twoHostsWithAnInstanceOnA() {
        a = new Agent("a");
        b = new Agent("b");
        a.spawn.handle(TestCommands.spawn("req-spawn", uuid, TestCommands.spawnArgs("web-1", OLD, "tiny", List.of(),
                Map.of("team", "a"), Optional.empty())));
    }

    @AfterEach
    void close() {
        a.driver.close();
        b.driver.close();
    }

    @Test
    void resizeToAnotherHostLeavesItResizedAndRunningThereWithTheOldDisksAndDefinitionKeptHere() {
        Outcome outcome = a.resizeTo("r1", NEW, "b");

        assertThat(outcome.payload()).containsEntry("source", "a").containsEntry("destination", "b")
                .containsEntry("host", "b").containsEntry("state", "RESIZED").containsEntry("power_state", "RUNNING");
        assertThat(destinations.sent()).containsExactly("b:migration.check", "b:migration.prepare", "b:migration.adopt");
        // the destination owns and runs it with the new flavor, the new ephemeral disk made empty there
        assertThat(b.owned.info(uuid).metadata().flavor()).isEqualTo(NEW);
        assertThat(b.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(b.registry.find(uuid)).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(InstanceState.RESIZED));
        assertThat(b.driver.specOf(uuid).orElseThrow().disks()).hasSize(2);
        assertThat(b.files.ephemeralDisk(uuid)).exists();
        assertThat(b.resizeFiles.record(uuid)).hasValueSatisfying(r -> {
            assertThat(r.phase()).isEqualTo(Phase.RESIZED);
            assertThat(r.sourceHost()).isEqualTo("a");
        });
        // the source lists nothing, runs nothing, and keeps the old disk and definition
        assertThat(a.store.find(uuid)).isEmpty();
        assertThat(a.driver.specOf(uuid)).isEmpty();
        assertThat(a.files.disk(uuid)).exists();
        assertThat(a.resizeFiles.record(uuid)).hasValueSatisfying(r -> {
            assertThat(r.phase()).isEqualTo(Phase.RESIZED);
            assertThat(r.destination()).isEqualTo("b");
            assertThat(r.instance()).isNotNull();
            assertThat(r.instance().flavor()).isEqualTo(OLD);
        });
        assertThat(a.owned.existsForAnyHost(uuid)).isFalse();
        // the move was the cold migration with the disks copied into the overlay prepare made there
        assertThat(a.migrations.requests()).singleElement()
                .satisfies(r -> assertThat(r.storage()).isEqualTo(StorageMode.BLOCK_INCREMENTAL));
        assertThat(b.images.overlaysCreated()).isEqualTo(1);
    }

    @Test
    void confirmOnTheDestinationDropsWhatTheSourceKeptAndTheInstanceStaysThereWithItsNewSize() {
        a.resizeTo("r1", NEW, "b");

        Outcome confirmed = b.confirm("c1");

        assertThat(confirmed.payload()).containsEntry("state", "ACTIVE").containsEntry("host", "b")
                .containsEntry("source", "a").containsEntry("destination", "b");
        assertThat(destinations.sent()).endsWith("a:migration.resize_confirm");
        assertThat(a.files.exists(uuid)).as("the source's leftovers").isFalse();
        assertThat(b.resizeFiles.record(uuid)).isEmpty();
        assertThat(b.owned.info(uuid).metadata().flavor()).isEqualTo(NEW);
        assertThat(b.owned.info(uuid).metadata().annotations()).containsEntry("state", "ACTIVE");
        // re-sent: answered, nothing asked of the source again
        int calls = destinations.sent().size();
        assertThat(b.confirm("c1").payload()).containsEntry("state", "ACTIVE");
        assertThat(destinations.sent()).hasSize(calls);
    }

    @Test
    void revertOnTheDestinationBringsItBackOnTheSourceAsItWasAndRemovesItThere() {
        a.resizeTo("r1", NEW, "b");

        Outcome reverted = b.revert("v1");

        assertThat(reverted.payload()).containsEntry("state", "ACTIVE").containsEntry("power_state", "RUNNING")
                .containsEntry("host", "a").containsEntry("source", "a").containsEntry("destination", "b");
        assertThat(a.owned.info(uuid).metadata().flavor()).isEqualTo(OLD);
        assertThat(a.owned.info(uuid).metadata().name()).isEqualTo("web-1");
        assertThat(a.owned.info(uuid).metadata().userMetadata()).containsEntry("team", "a");
        assertThat(a.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(a.driver.specOf(uuid).orElseThrow().disks()).hasSize(1);
        assertThat(a.registry.find(uuid)).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(InstanceState.ACTIVE));
        assertThat(a.resizeFiles.record(uuid)).isEmpty();
        assertThat(b.owned.existsForAnyHost(uuid)).as("nothing left on the destination").isFalse();
        assertThat(b.files.exists(uuid)).isFalse();
        assertThat(b.registry.find(uuid)).isEmpty();
    }

    @Test
    void aRevertWhoseSourceDoesNotAnswerLeavesTheCopyOffAndFinishesWhenSentAgain() {
        a.resizeTo("r1", NEW, "b");
        destinations.loseNext(CommandName.MIGRATION_RESIZE_REVERT);

        assertThatThrownBy(() -> b.revert("v1")).isInstanceOfSatisfying(CommandFailedException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
            assertThat(e.retriable()).isTrue();
        });
        assertThat(b.owned.info(uuid).powerState()).as("never two running guests").isEqualTo(PowerState.SHUTDOWN);
        assertThat(a.store.find(uuid)).isEmpty();

        b.revert("v1");

        assertThat(a.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(b.owned.existsForAnyHost(uuid)).isFalse();
    }

    @Test
    void aDestinationRestartedDuringARevertFinishesItWithTheSource() {
        a.resizeTo("r1", NEW, "b");
        destinations.loseNext(CommandName.MIGRATION_RESIZE_REVERT);
        assertThatThrownBy(() -> b.revert("v1")).isInstanceOf(CommandFailedException.class);

        // what start-up recovery does for the instance (its record says REVERTING)
        assertThat(b.recovery.recover(b.owned.info(uuid))).isTrue();

        assertThat(a.owned.info(uuid).metadata().flavor()).isEqualTo(OLD);
        assertThat(b.owned.existsForAnyHost(uuid)).isFalse();
    }

    @Test
    void aDestinationThatCannotFitTheNewFlavorRefusesAtTheCheckAndTheInstanceStaysHereAsItWas() {
        assertThatThrownBy(() -> a.resizeTo("r1", new Flavor(2, 1_000_000, 2, 0), "b"))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.getMessage()).contains("step check").contains("INSUFFICIENT_RESOURCES");
                });
        assertThat(a.owned.info(uuid).metadata().flavor()).isEqualTo(OLD);
        assertThat(a.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(a.resizeFiles.record(uuid)).isEmpty();
        assertThat(b.files.exists(uuid)).isFalse();
    }

    @Test
    void aSmallerRootDiskOrAnAttachedVolumeIsRefusedBeforeTheDestinationIsAsked() {
        assertThatThrownBy(() -> a.resizeTo("r1", new Flavor(2, 256, 0, 0), "b"))
                .isInstanceOfSatisfying(CommandFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_COMMAND));
        a.driver.updateAnnotations(uuid, AttachedVolumes.with(a.driver.info(uuid).metadata().annotations(),
                new AttachedVolumes.Entry("vol-1", "vdb", "iscsi", false)));
        assertThatThrownBy(() -> a.resizeTo("r2", NEW, "b"))
                .isInstanceOfSatisfying(CommandFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE));
        assertThat(destinations.sent()).isEmpty();
    }

    @Test
    void aResizeWhoseAdoptWentUnansweredIsFinishedWhenSentAgain() {
        destinations.loseNext(CommandName.MIGRATION_ADOPT);

        assertThatThrownBy(() -> a.resizeTo("r1", NEW, "b")).isInstanceOf(CommandFailedException.class);
        assertThat(a.store.find(uuid)).as("moved already").isEmpty();
        assertThat(a.resizeFiles.record(uuid)).hasValueSatisfying(r -> assertThat(r.phase()).isEqualTo(Phase.RESIZING));

        Outcome outcome = a.resizeTo("r1", NEW, "b");

        assertThat(outcome.payload()).containsEntry("state", "RESIZED").containsEntry("host", "b");
        assertThat(b.owned.info(uuid).metadata().flavor()).isEqualTo(NEW);
        assertThat(b.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(a.resizeFiles.record(uuid)).hasValueSatisfying(r -> assertThat(r.phase()).isEqualTo(Phase.RESIZED));
        // another resize meanwhile is refused on the source, which no longer owns it
        assertThatThrownBy(() -> a.resizeTo("r2", new Flavor(4, 512, 2, 1), "b"))
                .isInstanceOfSatisfying(CommandFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE));
    }

    @Test
    void onlyTheDestinationTheResizeWentToMayConfirmOrRevertOnTheSource() {
        a.resizeTo("r1", NEW, "b");
        Agent c = new Agent("c");
        try {
            assertThat(destinations.call("a", CommandName.MIGRATION_RESIZE_CONFIRM, "x.source", uuid,
                    new MigrationResizeEndArgs("c"), Duration.ofSeconds(5)).error().code())
                    .isEqualTo(ErrorCode.MIGRATION_FAILED);
            assertThat(destinations.call("a", CommandName.MIGRATION_RESIZE_REVERT, "y.source", uuid,
                    new MigrationResizeEndArgs("c"), Duration.ofSeconds(5)).error().code())
                    .isEqualTo(ErrorCode.MIGRATION_FAILED);
            assertThat(a.files.disk(uuid)).exists();
            assertThat(a.store.find(uuid)).isEmpty();
        } finally {
            c.driver.close();
        }
    }
    @Test
    void anArrivalCutHalfWayIsFinishedByTheDestinationsRecoveryAndTheResentResizeIsAnswered() {
        b.driver.failNext(FakeOperation.REDEFINE, new HypervisorException("libvirt said no"));

        assertThatThrownBy(() -> a.resizeTo("r1", NEW, "b")).isInstanceOfSatisfying(CommandFailedException.class,
                e -> assertThat(e.getMessage()).contains("step adopt"));
        assertThat(b.resizeFiles.record(uuid)).hasValueSatisfying(r -> assertThat(r.phase()).isEqualTo(Phase.RESIZING));
        assertThat(b.owned.info(uuid).metadata().flavor()).as("owned there, not resized yet").isEqualTo(OLD);

        // what the destination's start-up recovery does for the instance
        assertThat(b.recovery.recover(b.owned.info(uuid))).isTrue();
        assertThat(b.owned.info(uuid).metadata().flavor()).isEqualTo(NEW);
        assertThat(b.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);

        Outcome outcome = a.resizeTo("r1", NEW, "b");

        assertThat(outcome.payload()).containsEntry("state", "RESIZED").containsEntry("host", "b");
        assertThat(a.resizeFiles.record(uuid)).hasValueSatisfying(r -> assertThat(r.phase()).isEqualTo(Phase.RESIZED));
    }

    @Test
    void aRevertCutOnTheSourceAfterItDefinedTheInstanceIsFinishedByTheSourcesRecoveryAndByTheDestination() {
        a.resizeTo("r1", NEW, "b");
        a.driver.failNext(FakeOperation.START, new HypervisorException("could not start"));

        assertThatThrownBy(() -> b.revert("v1")).isInstanceOf(CommandFailedException.class);
        assertThat(a.owned.info(uuid).powerState()).as("defined again, not started").isEqualTo(PowerState.SHUTDOWN);
        assertThat(b.owned.info(uuid).powerState()).as("the copy stays off").isEqualTo(PowerState.SHUTDOWN);

        // what the source's start-up recovery does: the definition is there, the take-back is finished
        assertThat(a.recovery.recover(a.owned.info(uuid))).isTrue();
        assertThat(a.owned.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(a.resizeFiles.record(uuid)).isEmpty();

        Outcome reverted = b.revert("v1");

        assertThat(reverted.payload()).containsEntry("host", "a").containsEntry("state", "ACTIVE");
        assertThat(b.owned.existsForAnyHost(uuid)).isFalse();
        assertThat(a.owned.info(uuid).metadata().flavor()).isEqualTo(OLD);
    }

    @Test
    void aStoppedInstanceIsResizedThereStoppedAndRevertedHereStopped() {
        a.driver.stop(uuid, Duration.ZERO);
        a.store.record(uuid, InstanceState.STOPPED, null);

        Outcome outcome = a.resizeTo("r1", NEW, "b");

        assertThat(outcome.payload()).containsEntry("state", "RESIZED").containsEntry("power_state", "SHUTDOWN");
        assertThat(b.owned.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
        assertThat(b.owned.info(uuid).metadata().flavor()).isEqualTo(NEW);

        Outcome reverted = b.revert("v1");

        assertThat(reverted.payload()).containsEntry("state", "STOPPED").containsEntry("host", "a");
        assertThat(a.owned.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
        assertThat(b.owned.existsForAnyHost(uuid)).isFalse();
    }
}

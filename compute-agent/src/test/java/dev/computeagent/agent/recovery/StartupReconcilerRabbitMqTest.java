package dev.computeagent.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.amqp.EventPublisher;
import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.execution.CommandExecutor;
import dev.computeagent.agent.execution.Delivery;
import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.HandlerRegistry;
import dev.computeagent.agent.handler.MovedResizeEnd;
import dev.computeagent.agent.handler.NoOtherHosts;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.RebuildCompletion;
import dev.computeagent.agent.handler.RebuildRecovery;
import dev.computeagent.agent.handler.ResizeArrival;
import dev.computeagent.agent.handler.ResizeCompletion;
import dev.computeagent.agent.handler.ResizeRecovery;
import dev.computeagent.agent.handler.SpawnHandler;
import dev.computeagent.agent.journal.FileRequestJournal;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ConnectionInfoArgs;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.migration.OwnedInstancesDriver;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.RebuildFiles;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeNetworkDriver;
import dev.computeagent.virt.fake.FakeOperation;
import dev.computeagent.virt.fake.FakeSecurityGroupDriver;
import dev.computeagent.virt.migration.DestinationVolume;
import dev.computeagent.virt.migration.FakeMigrationDriver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/** Start-up reconciliation on the in-memory driver, publishing to a real broker. */
class StartupReconcilerRabbitMqTest {

    @TempDir
    Path stateDir;

    final String host = "it-" + UUID.randomUUID().toString().substring(0, 8);
    final FakeComputeDriver driver = new FakeComputeDriver();
    final FakeSecurityGroupDriver groups = new FakeSecurityGroupDriver();
    final FakeMigrationDriver migrations = new FakeMigrationDriver(driver, new FakeMigrationDriver.Network());
    AmqpTestClient client;
    CachingConnectionFactory connections;
    InstanceRegistry registry;
    InstanceFiles files;
    StartupReconciler reconciler;
    EventPublisher events;

    @BeforeEach
    void setUp() throws Exception {
        client = AmqpTestClient.connect(host);
        connections = new CachingConnectionFactory(AmqpTestClient.BROKER_HOST, AmqpTestClient.BROKER_PORT);
        connections.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        events = new EventPublisher(new RabbitTemplate(connections), host, Clock.systemUTC(), Duration.ofSeconds(5));
        registry = new InstanceRegistry(host);
        files = new InstanceFiles(stateDir, host);
        InstanceStore store = new InstanceStore(driver, registry);
        ResizeFiles resizeFiles = new ResizeFiles(files);
        FakeImageCache images = new FakeImageCache();
        InstanceProvisioner provisioner = new InstanceProvisioner(images, files, new ConfigDriveBuilder(
                new ProcessRunner(), Duration.ofSeconds(30)));
        ResizeCompletion resizes = new ResizeCompletion(driver, store, resizeFiles, provisioner);
        RebuildFiles rebuildFiles = new RebuildFiles(files);
        // what the agent sees: its own instances only (an arrival not yet adopted is its source's)
        OwnedInstancesDriver owned = new OwnedInstancesDriver(driver, host);
        reconciler = new StartupReconciler(owned, store, registry, files,
                new FailedSpawnCleanup(driver, store, files, new InstanceLanes(1)),
                new InterruptedSpawns(driver, store, files, new InstanceLanes(1)),
                new ResizeRecovery(driver, store, resizeFiles, resizes, new ResizeArrival(driver, images,
                        files, resizeFiles, provisioner, store), new MovedResizeEnd(driver, store, files, resizeFiles,
                        NoOtherHosts.INSTANCE, host, new FakeSecurityGroupDriver())),
                new RebuildRecovery(store, rebuildFiles, new RebuildCompletion(driver, store, rebuildFiles, provisioner)),
                new SnapshotLeftovers(driver, files), events, owned::existsForAnyHost,
                new HostLeftovers(groups, migrations, owned::existsForAnyHost));
    }

    @AfterEach
    void tearDown() throws Exception {
        connections.destroy();
        client.close();
        driver.close();
    }

    private UUID instance(InstanceState state, boolean running) throws Exception {
        UUID uuid = UUID.randomUUID();
        files.create(uuid);
        Files.writeString(files.disk(uuid), "disk");
        driver.spawn(new InstanceSpec(uuid, new InstanceMetadata("vm", new Flavor(1, 128, 0, 0), "img", host, Map.of(),
                Map.of(Annotations.STATE, state.name())), List.of(DiskSpec.qcow2Root(files.disk(uuid))), List.of(),
                files.consoleLog(uuid), false));
        if (!running) {
            driver.stop(uuid, Duration.ZERO);
        }
        return uuid;
    }

    @Test
    void finishesInterruptedSpawnsFollowsPowerStatesAndReportsEveryInstance() throws Exception {
        UUID building = instance(InstanceState.BUILDING, false);
        UUID wasActive = instance(InstanceState.ACTIVE, false);
        UUID stopped = instance(InstanceState.STOPPED, false);
        UUID error = instance(InstanceState.ERROR, true);

        reconciler.reconcile();

        assertThat(driver.info(building).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(registry.find(building).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(driver.info(building).metadata().annotations()).containsEntry(Annotations.STATE, "ACTIVE");
        assertThat(files.spawnComplete(building)).isTrue();
        assertThat(registry.find(wasActive).orElseThrow().state()).isEqualTo(InstanceState.STOPPED);
        assertThat(registry.find(stopped).orElseThrow().state()).isEqualTo(InstanceState.STOPPED);
        assertThat(registry.find(error).orElseThrow().state()).isEqualTo(InstanceState.ERROR);

        await().atMost(Duration.ofSeconds(10)).until(() -> client.events(j ->
                j.path("event").asString().equals("instance.power_state.update")).size() == 4);
        assertThat(client.events(j -> j.path("event").asString().equals("instance.power_state.update")))
                .allSatisfy(r -> assertThat(r.json().path("payload").path("reason").asString()).isEqualTo("recovery"));
    }

    @Test
    void aSpawnKilledAfterItsEndBeforeItsActiveRecordIsActiveAtStartUpAndItsRedeliveryPublishesNoSecondEnd()
            throws Exception {
        // the killed agent: its writes behind the announced outcome (SpawnCompletion) never ran
        InstanceRegistry killedRegistry = new InstanceRegistry(host);
        FakeImageCache images = new FakeImageCache();
        SpawnHandler killedSpawns = new SpawnHandler(driver, images, new InstanceStore(driver, killedRegistry), files,
                new InstanceProvisioner(images, files, ConfigDrives.builder()),
                new HostCapacity(driver, files, killedRegistry), ConfigDrives.OPTIONS, host, Clock.systemUTC(),
                new SimpleMeterRegistry(), FakeNetworkDriver.withForeign("default"), new FakeSecurityGroupDriver(),
                neverRun -> { });
        FileRequestJournal journal = new FileRequestJournal(stateDir.resolve("journal"), AgentJson.mapper(),
                Clock.systemUTC());
        UUID uuid = UUID.randomUUID();
        Command<SpawnArgs> spawn = TestCommands.spawn("r-killed", uuid, TestCommands.spawnArgs("vm",
                new Flavor(1, 128, 1, 0), "img", List.of(), Map.of(), Optional.empty()));
        Settled first = new Settled(false);
        executor(killedSpawns, killedRegistry, journal).submit(spawn, first);
        await().atMost(Duration.ofSeconds(30)).until(() -> first.settled.get() != null);
        assertThat(first.settled.get()).isEqualTo("acked");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> client.eventNames("r-killed").contains("instance.spawn.end"));
        assertThat(Annotations.state(driver.info(uuid).metadata(), driver.info(uuid).powerState()))
                .as("announced, not recorded").isEqualTo(InstanceState.BUILDING);
        assertThat(files.spawnComplete(uuid)).isFalse();

        // the restarted agent
        reconciler.reconcile();
        assertThat(driver.info(uuid).metadata().annotations()).containsEntry(Annotations.STATE, "ACTIVE");
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(registry.find(uuid).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(files.spawnComplete(uuid)).isTrue();
        // its ack was lost with the killed agent's channel: the broker delivers the spawn again
        Settled again = new Settled(true);
        executor(TestSpawns.handler(driver, images, registry, files, host), registry, journal).submit(spawn, again);
        await().atMost(Duration.ofSeconds(30)).until(() -> again.settled.get() != null);
        assertThat(again.settled.get()).isEqualTo("acked");
        // a later event of the same publisher has arrived, so a second .end would have too
        events.publish(events.event("instance.power_state.update", "r-after", uuid.toString(), Map.of(), null));
        await().atMost(Duration.ofSeconds(10)).until(() -> !client.eventNames("r-after").isEmpty());
        assertThat(client.eventNames("r-killed")).containsExactly("instance.spawn.start", "instance.spawn.end");
        assertThat(driver.callCount(FakeOperation.SPAWN)).isEqualTo(1);
    }

    private CommandExecutor executor(SpawnHandler spawns, InstanceRegistry on, FileRequestJournal journal) {
        List<CommandHandler<?>> handlers = new ArrayList<>(List.of(spawns));
        for (CommandName name : CommandName.values()) {
            if (name != CommandName.SPAWN) {
                handlers.add(TestCommands.handler(name, c -> new Outcome(Map.of())));
            }
        }
        return new CommandExecutor(new InstanceLanes(1), new HandlerRegistry(handlers), journal, events,
                new InstanceStore(driver, on), new SimpleMeterRegistry());
    }

    /** A delivery (first or again) without {@code reply_to} that remembers how it was settled. */
    private record Settled(boolean redelivered, AtomicReference<String> settled) implements Delivery {

        Settled(boolean redelivered) {
            this(redelivered, new AtomicReference<>());
        }

        @Override
        public @Nullable String replyTo() {
            return null;
        }

        @Override
        public @Nullable String correlationId() {
            return null;
        }

        @Override
        public void ack() {
            settled.set("acked");
        }

        @Override
        public void requeue() {
            settled.set("requeued");
        }

        @Override
        public void abandon() {
            settled.set("abandoned");
        }
    }

    @Test
    void anInstanceLeftMigratingFollowsItsPowerStateWithTheInterruptionAsLastError() throws Exception {
        UUID running = instance(InstanceState.MIGRATING, true);
        UUID off = instance(InstanceState.MIGRATING, false);

        reconciler.reconcile();

        assertThat(registry.find(running).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(registry.find(running).orElseThrow().lastError()).contains("migration interrupted");
        assertThat(driver.info(running).metadata().annotations()).containsEntry(Annotations.STATE, "ACTIVE")
                .hasEntrySatisfying(Annotations.LAST_ERROR, e -> assertThat(e).contains("migration interrupted"));
        assertThat(registry.find(off).orElseThrow().state()).isEqualTo(InstanceState.STOPPED);
        assertThat(driver.info(off).metadata().annotations()).containsEntry(Annotations.STATE, "STOPPED");
    }

    @Test
    void pausesAndSuspendsCutByAnAgentKillFollowWhatLibvirtDid() throws Exception {
        // the agent died between the hypervisor's pause and recording it
        UUID pausedUnrecorded = instance(InstanceState.ACTIVE, true);
        driver.pause(pausedUnrecorded);
        // died during the save, before it happened: SUSPENDED is recorded first, the guest still runs
        UUID saveNotDone = instance(InstanceState.SUSPENDED, true);
        // died after the save, before the answer
        UUID saved = instance(InstanceState.SUSPENDED, true);
        driver.suspend(saved);
        // an unpause done behind the recorded PAUSED
        UUID unpausedUnrecorded = instance(InstanceState.PAUSED, true);

        reconciler.reconcile();

        assertThat(registry.find(pausedUnrecorded).orElseThrow().state()).isEqualTo(InstanceState.PAUSED);
        assertThat(driver.info(pausedUnrecorded).metadata().annotations()).containsEntry(Annotations.STATE, "PAUSED");
        assertThat(registry.find(saveNotDone).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(driver.info(saveNotDone).metadata().annotations()).containsEntry(Annotations.STATE, "ACTIVE");
        assertThat(registry.find(saved).orElseThrow().state()).isEqualTo(InstanceState.SUSPENDED);
        assertThat(driver.hasSavedState(saved)).isTrue();
        assertThat(registry.find(unpausedUnrecorded).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
    }

    @Test
    void marksAnInterruptedSpawnThatCannotBeFinishedAsErrorWithTheReason() throws Exception {
        UUID building = instance(InstanceState.BUILDING, false);
        driver.failNext(FakeOperation.START, new HypervisorException("no memory for the guest"));

        reconciler.reconcile();

        assertThat(registry.find(building).orElseThrow().state()).isEqualTo(InstanceState.ERROR);
        assertThat(registry.find(building).orElseThrow().lastError()).contains("no memory for the guest");
        assertThat(driver.info(building).metadata().annotations()).containsEntry(Annotations.STATE, "ERROR");
    }

    @Test
    void removesOrphanDirectoriesOfUnfinishedSpawnsOnly() throws Exception {
        UUID orphan = UUID.randomUUID();
        files.create(orphan);
        Files.writeString(files.disk(orphan), "half an overlay");
        UUID completedWithoutDomain = UUID.randomUUID();
        files.create(completedWithoutDomain);
        files.markSpawnComplete(completedWithoutDomain);
        Path foreign = Files.createDirectories(stateDir.resolve("instances").resolve("not-a-uuid"));
        UUID owned = instance(InstanceState.ACTIVE, true);

        reconciler.reconcile();

        assertThat(files.exists(orphan)).isFalse();
        assertThat(files.exists(completedWithoutDomain)).isTrue();
        assertThat(foreign).isDirectory();
        assertThat(files.disk(owned)).exists();
    }

    @Test
    void leavesTheUnfinishedDirectoriesOfOtherHostsAndOfArrivingMigrations() throws Exception {
        // the instances directory is shared: another host may be spawning this one right now
        UUID spawningElsewhere = UUID.randomUUID();
        new InstanceFiles(stateDir, "other-host").create(spawningElsewhere);
        Files.writeString(files.disk(spawningElsewhere), "an overlay being written");
        // prepared here for a block migration whose transfer is running: the domain is still its source's
        UUID arriving = UUID.randomUUID();
        files.create(arriving);
        Files.writeString(files.disk(arriving), "a disk being copied");
        driver.spawn(new InstanceSpec(arriving, new InstanceMetadata("vm", new Flavor(1, 128, 0, 0), "img",
                "source-host", Map.of(), Map.of()), List.of(DiskSpec.qcow2Root(files.disk(arriving))), List.of(),
                files.consoleLog(arriving), false));
        // made by an agent before the creator was recorded: whose it is cannot be told
        UUID unknownCreator = UUID.randomUUID();
        files.create(unknownCreator);
        Files.delete(files.dir(unknownCreator).resolve(".created-by"));
        UUID leftHere = UUID.randomUUID();
        files.create(leftHere);

        reconciler.reconcile();

        assertThat(files.disk(spawningElsewhere)).exists();
        assertThat(files.disk(arriving)).exists();
        assertThat(files.exists(unknownCreator)).isTrue();
        assertThat(files.exists(leftHere)).isFalse();
        assertThat(registry.find(arriving)).as("not this host's until adopted").isEmpty();
    }

    @Test
    void anInstanceClaimedHereWhoseSharedDirectoryStillNamesItsSourceIsRecordedAsThisHosts() throws Exception {
        // migrated here over a shared directory; the agent stopped between the claim and the directory's record
        UUID arrived = UUID.randomUUID();
        new InstanceFiles(stateDir, "source-host").create(arrived);
        Files.writeString(files.disk(arrived), "the disk it runs from");
        driver.spawn(new InstanceSpec(arrived, new InstanceMetadata("vm", new Flavor(1, 128, 0, 0), "img", host,
                Map.of(), Map.of(Annotations.STATE, InstanceState.ACTIVE.name())),
                List.of(DiskSpec.qcow2Root(files.disk(arrived))), List.of(), files.consoleLog(arrived), false));
        assertThat(files.ownedElsewhere(arrived)).isTrue();

        reconciler.reconcile();

        assertThat(files.owner(arrived)).contains(host);
        assertThat(new InstanceFiles(stateDir, "source-host").delete(arrived)).as("the source leaves it").isFalse();
        assertThat(files.disk(arrived)).exists();
        assertThat(registry.find(arrived)).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(InstanceState.ACTIVE));
    }

    @Test
    void removesTheFiltersAndVolumeSecretsOfInstancesWithoutADomainHereForAnyHostOnly() throws Exception {
        UUID owned = instance(InstanceState.ACTIVE, true);
        UUID arriving = UUID.randomUUID();
        Path arrivingDisk = Files.writeString(stateDir.resolve("arriving"), "disk");
        driver.spawn(new InstanceSpec(arriving, new InstanceMetadata("vm", new Flavor(1, 128, 0, 0), "img",
                "source-host", Map.of(), Map.of()), List.of(DiskSpec.qcow2Root(arrivingDisk)),
                List.of(), stateDir.resolve("arriving.log"), false));
        // prepared here before this agent restarted; the preparation was known in memory only
        UUID preparedThenForgotten = UUID.randomUUID();
        for (UUID uuid : List.of(owned, arriving, preparedThenForgotten)) {
            groups.apply(uuid, List.of());
            migrations.prepareIncomingVolumes(uuid, List.of(chapVolume(uuid)));
        }

        reconciler.reconcile();

        assertThat(groups.filteredInstances()).containsExactlyInAnyOrder(owned, arriving);
        assertThat(migrations.instancesWithVolumeSecrets()).containsExactlyInAnyOrder(owned, arriving);
    }

    /** A volume with CHAP credentials, as a prepared migration defines its secret here. */
    private static DestinationVolume chapVolume(UUID instance) {
        return new DestinationVolume("vol-1", "vdb", new ConnectionInfoArgs("iscsi", new ConnectionInfoArgs.Data(null,
                null, null, null, "192.0.2.20:3260", "iqn.2010-10.org.openstack:volume-1", 1, "CHAP", "user", "secret",
                null, null, null, null)).toConnection(), DestinationVolume.secretOn("here", instance, "vol-1"));
    }

    @Test
    void removesTheCopiesOfSnapshotsCutByAnAgentKillOnceTheDriverHasSettledTheDiskChain() throws Exception {
        UUID running = instance(InstanceState.ACTIVE, true);
        UUID stopped = instance(InstanceState.STOPPED, false);
        Path copy = Files.writeString(files.dir(running).resolve("snapshot-img-1.qcow2"), "half a copy");
        Path stoppedCopy = Files.writeString(files.dir(stopped).resolve("snapshot-img-2.qcow2"), "half a copy");

        reconciler.reconcile();

        assertThat(driver.callCount(FakeOperation.FINISH_INTERRUPTED_COPY)).isEqualTo(2);
        assertThat(copy).doesNotExist();
        assertThat(stoppedCopy).doesNotExist();
        assertThat(files.disk(running)).hasContent("disk");
        assertThat(files.disk(stopped)).hasContent("disk");
        assertThat(driver.info(running).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void keepsTheCopyOfAnInterruptedSnapshotWhileTheDriverCannotSettleTheDiskChain() throws Exception {
        UUID running = instance(InstanceState.ACTIVE, true);
        Path copy = Files.writeString(files.dir(running).resolve("snapshot-img-1.qcow2"), "half a copy");
        driver.failNext(FakeOperation.FINISH_INTERRUPTED_COPY, new HypervisorException("block commit failed"));

        reconciler.reconcile();
        assertThat(copy).exists();
        assertThat(files.disk(running)).hasContent("disk");

        reconciler.reconcile();
        assertThat(copy).doesNotExist();
    }
}

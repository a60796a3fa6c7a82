package dev.computeagent.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.SpawnHandler;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clean-up of a spawn whose hypervisor went away right after the define, with the in-memory driver
 * (the libvirtd version is {@link SpawnCutByALibvirtdCrashTwoLibvirtHostsRabbitMqTest}): the files stay
 * while the domain may exist, go with it once the hypervisor answers, and stay with an instance a
 * retried spawn finished meanwhile.
 */
class FailedSpawnCleanupTest {

    @TempDir
    Path stateDir;

    private final FakeComputeDriver fake = new FakeComputeDriver();
    private final HypervisorLostAfterDefine driver = new HypervisorLostAfterDefine(fake);
    private final InstanceLanes lanes = new InstanceLanes(1);
    private final UUID uuid = UUID.randomUUID();
    private InstanceFiles files;
    private SpawnHandler spawn;
    private FailedSpawnCleanup cleanup;

    @BeforeEach
    void setUp() {
        InstanceRegistry registry = new InstanceRegistry("h1");
        InstanceStore store = new InstanceStore(driver, registry);
        files = new InstanceFiles(stateDir, "test-host");
        spawn = TestSpawns.handler(driver, new FakeImageCache(), registry, files, "h1");
        cleanup = new FailedSpawnCleanup(driver, store, files, lanes);
    }

    @AfterEach
    void tearDown() {
        lanes.shutdown(Duration.ofSeconds(5));
        fake.close();
    }

    private Command<SpawnArgs> command(String requestId) {
        return TestCommands.spawn(requestId, uuid, TestCommands.spawnArgs("vm", new Flavor(1, 128, 1, 0), "img",
                List.of(), Map.of(), Optional.empty()));
    }

    private void spawnLosingTheHypervisorAfterDefine() {
        driver.loseAfterNextDefine(() -> fake.setConnected(false));
        assertThatThrownBy(() -> spawn.handle(command("r1"))).isInstanceOf(HypervisorUnavailableException.class);
    }

    @Test
    void theDisksOfAFailedSpawnStayWhileItsDomainMayExistAndGoAfterIt() {
        spawnLosingTheHypervisorAfterDefine();
        assertThat(files.disk(uuid)).exists();
        assertThat(files.spawnFailed(uuid)).isTrue();

        cleanup.resume(uuid);
        assertThat(files.disk(uuid)).as("the hypervisor cannot say yet").exists();

        fake.setConnected(true);
        cleanup.resume(uuid);
        assertThat(fake.listInstances()).isEmpty();
        assertThat(files.dir(uuid)).doesNotExist();
    }

    @Test
    void anInstanceARetriedSpawnFinishedOnlyLosesItsMark() {
        spawnLosingTheHypervisorAfterDefine();
        fake.setConnected(true);

        assertThat(spawn.handle(command("r2")).payload()).containsEntry("state", "ACTIVE");
        cleanup.resume(uuid);

        assertThat(fake.listInstances()).singleElement().satisfies(i -> assertThat(i.uuid()).isEqualTo(uuid));
        assertThat(files.disk(uuid)).exists();
        assertThat(files.spawnFailed(uuid)).isFalse();
        assertThat(files.spawnComplete(uuid)).isTrue();
    }

    @Test
    void aSpawnLosingTheHypervisorWhileRecordingActiveIsAnnouncedKeepsItsFilesAndIsFinishedBySendingItAgain() {
        // ACTIVE is recorded behind the announcement (SpawnCompletion): the guest runs, so losing the hypervisor
        // then is no failure of the spawn; the instance stays BUILDING until the same spawn (or a restart) finishes it
        ComputeDriver losing = losingTheHypervisorAtTheFirstAnnotationWrite();
        InstanceRegistry registry = new InstanceRegistry("h1");
        SpawnHandler recordFails = TestSpawns.handler(losing, new FakeImageCache(), registry, files, "h1");

        Outcome announced = recordFails.handle(command("r1"));

        assertThat(announced.payload()).containsEntry("state", "ACTIVE");
        assertThat(announced.recording()).isCompleted();
        assertThat(registry.find(uuid).orElseThrow().state()).as("back to what libvirt holds")
                .isEqualTo(InstanceState.BUILDING);
        assertThat(files.spawnFailed(uuid)).isFalse();
        assertThat(files.spawnComplete(uuid)).isTrue();
        assertThat(files.disk(uuid)).exists();

        fake.setConnected(true);
        assertThat(recordFails.handle(command("r1")).payload()).containsEntry("state", "ACTIVE");
        assertThat(Annotations.state(fake.info(uuid).metadata(), fake.info(uuid).powerState()))
                .isEqualTo(InstanceState.ACTIVE);
        assertThat(registry.find(uuid).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
    }

    @Test
    void aSpawnWhoseActiveRecordWasLostIsFinishedOnceTheHypervisorIsBack() {
        ComputeDriver losing = losingTheHypervisorAtTheFirstAnnotationWrite();
        InstanceRegistry registry = new InstanceRegistry("h1");
        InstanceStore store = new InstanceStore(losing, registry);
        SpawnHandler recordFails = TestSpawns.handler(losing, new FakeImageCache(), registry, files, "h1");
        assertThat(recordFails.handle(command("r1")).payload()).containsEntry("state", "ACTIVE");
        assertThat(registry.find(uuid).orElseThrow().state()).isEqualTo(InstanceState.BUILDING);
        InterruptedSpawns spawns = new InterruptedSpawns(losing, store, files, lanes);

        fake.setConnected(true);
        spawns.resumeAll();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                Annotations.state(fake.info(uuid).metadata(), fake.info(uuid).powerState()))
                .isEqualTo(InstanceState.ACTIVE));
        assertThat(registry.find(uuid).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(fake.callCount(FakeOperation.START)).as("it ran all along: not started again").isZero();
    }

    @Test
    void aFailedSpawnWaitingForItsCleanUpIsNotFinished() {
        spawnLosingTheHypervisorAfterDefine();
        fake.setConnected(true);
        InstanceStore store = new InstanceStore(fake, new InstanceRegistry("h1"));

        new InterruptedSpawns(fake, store, files, lanes).resumeAll();
        lanes.shutdown(Duration.ofSeconds(10));

        assertThat(files.spawnFailed(uuid)).isTrue();
        assertThat(Annotations.state(fake.info(uuid).metadata(), fake.info(uuid).powerState()))
                .isEqualTo(InstanceState.BUILDING);
    }

    /** The driver, whose first annotation write finds the hypervisor gone (it is back once the test says so). */
    private ComputeDriver losingTheHypervisorAtTheFirstAnnotationWrite() {
        AtomicBoolean lost = new AtomicBoolean();
        return (ComputeDriver) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ComputeDriver.class}, (proxy, method, args) -> {
                    if (method.getName().equals("updateAnnotations") && !lost.getAndSet(true)) {
                        fake.setConnected(false);
                    }
                    try {
                        return method.invoke(fake, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}

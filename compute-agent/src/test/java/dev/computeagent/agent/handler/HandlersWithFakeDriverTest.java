package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.image.ImageUnsafeException;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.RebootType;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import dev.computeagent.virt.fake.FakeSecurityGroupDriver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandlersWithFakeDriverTest {

    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final FakeImageCache images = new FakeImageCache();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private InstanceRegistry registry;
    private InstanceFiles files;
    private SpawnHandler spawn;
    private StopHandler stop;
    private StartHandler start;
    private RebootHandler reboot;
    private DeleteHandler delete;
    private final UUID uuid = UUID.randomUUID();

    @BeforeEach
    void setUp() {
        registry = new InstanceRegistry("h1");
        files = new InstanceFiles(stateDir, "test-host");
        InstanceStore store = new InstanceStore(driver, registry);
        spawn = TestSpawns.handler(driver, images, registry, files, ConfigDrives.builder(), ConfigDrives.OPTIONS,
                new HostCapacity(driver, files, registry), "h1", meters);
        stop = new StopHandler(driver, store);
        start = new StartHandler(driver, store);
        reboot = new RebootHandler(driver, store);
        delete = new DeleteHandler(driver, store, files, new FakeSecurityGroupDriver());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    static SpawnArgs request(String name, String image) {
        return TestCommands.spawnArgs(name, new Flavor(1, 128, 1, 0), image, List.of(), Map.of("role", "<db>"),
                Optional.empty());
    }

    private Command<SpawnArgs> spawnCommand(String requestId, SpawnArgs r) {
        return TestCommands.spawn(requestId, uuid, r);
    }

    @Test
    void spawnCreatesTheOverlayBootsTheGuestAndRecordsItActive() {
        Outcome outcome = spawn.handle(spawnCommand("r1", request("vm", "img")));
        assertThat(outcome.payload()).containsEntry("state", "ACTIVE").containsEntry("power_state", "RUNNING")
                .containsEntry("name", "vm").containsEntry("image_id", "img");
        assertThat(files.disk(uuid)).exists();
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(driver.info(uuid).metadata().annotations()).containsEntry(Annotations.STATE, "ACTIVE")
                .containsEntry(Annotations.SPAWN_REQUEST, "r1").containsKey(Annotations.SPEC_SHA256);
        assertThat(driver.specOf(uuid).orElseThrow().consoleLog()).isEqualTo(files.consoleLog(uuid));
        assertThat(registry.find(uuid).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(files.spawnComplete(uuid)).isTrue();
        for (String phase : List.of("image", "disk", "define", "boot", "record")) {
            assertThat(meters.find("agent.spawn.phase").tag("phase", phase).timer()).as(phase).isNotNull();
        }
    }

    @Test
    void spawnOfTheSameSpecAgainSucceedsWithoutASecondDomain() {
        spawn.handle(spawnCommand("r1", request("vm", "img")));
        Outcome again = spawn.handle(spawnCommand("r2", request("vm", "img")));
        assertThat(again.payload()).containsEntry("state", "ACTIVE");
        assertThat(driver.callCount(FakeOperation.SPAWN)).isEqualTo(1);
        assertThat(driver.bootCount(uuid)).isEqualTo(1);
    }

    @Test
    void spawnOfADifferentSpecFailsWithInstanceExistsAndLeavesTheInstanceAlone() {
        spawn.handle(spawnCommand("r1", request("vm", "img")));
        assertThatThrownBy(() -> spawn.handle(spawnCommand("r2", request("other-name", "img"))))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.INSTANCE_EXISTS));
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(files.disk(uuid)).exists();
    }

    @Test
    void spawnFinishesAnInstanceLeftBuildingByACrash() {
        spawn.handle(spawnCommand("r1", request("vm", "img")));
        driver.stop(uuid, Duration.ZERO);
        driver.updateAnnotations(uuid, Annotations.with(driver.info(uuid).metadata().annotations(),
                InstanceState.BUILDING, null));
        Outcome outcome = spawn.handle(spawnCommand("r1", request("vm", "img")));
        assertThat(outcome.payload()).containsEntry("state", "ACTIVE").containsEntry("power_state", "RUNNING");
        assertThat(driver.callCount(FakeOperation.SPAWN)).isEqualTo(1);
    }

    @Test
    void spawnFailingInTheDriverRemovesTheDomainAndTheInstanceDirectory() {
        driver.failNext(FakeOperation.SPAWN, new HypervisorException("qemu died"));
        assertThatThrownBy(() -> spawn.handle(spawnCommand("r1", request("vm", "img"))))
                .isInstanceOf(HypervisorException.class);
        assertThat(files.exists(uuid)).isFalse();
        assertThat(driver.listInstances()).isEmpty();
        assertThat(registry.find(uuid)).isEmpty();
    }

    @Test
    void spawnWithAnUnsafeImageLeavesNothingBehind() {
        images.failFetch("evil", () -> new ImageUnsafeException("qcow2 with a backing file"));
        assertThatThrownBy(() -> spawn.handle(spawnCommand("r1", request("vm", "evil"))))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.IMAGE_UNSAFE));
        assertThat(files.exists(uuid)).isFalse();
        assertThat(driver.listInstances()).isEmpty();
    }

    @Test
    void stopStartRebootRecordTheirStates() {
        spawn.handle(spawnCommand("r1", request("vm", "img")));
        assertThat(stop.handle(TestCommands.stop("r2", uuid, Duration.ZERO)).payload())
                .containsEntry("state", "STOPPED").containsEntry("power_state", "SHUTDOWN");
        assertThat(stop.handle(TestCommands.stop("r3", uuid, Duration.ofSeconds(5))).payload())
                .as("stop of a stopped instance succeeds").containsEntry("state", "STOPPED");
        assertThat(start.handle(TestCommands.start("r4", uuid)).payload()).containsEntry("state", "ACTIVE")
                .containsEntry("power_state", "RUNNING");
        assertThat(reboot.handle(TestCommands.reboot("r5", uuid, RebootType.HARD, Duration.ofSeconds(1))).payload())
                .containsEntry("state", "ACTIVE");
        assertThat(driver.info(uuid).metadata().annotations()).containsEntry(Annotations.STATE, "ACTIVE");
    }

    @Test
    void commandsOnAnUnknownInstanceFailWithInstanceNotFound() {
        for (Runnable r : List.<Runnable>of(() -> start.handle(TestCommands.start("a", uuid)),
                () -> stop.handle(TestCommands.stop("b", uuid, Duration.ZERO)),
                () -> reboot.handle(TestCommands.reboot("c", uuid, RebootType.SOFT, Duration.ofSeconds(1))))) {
            assertThatThrownBy(r::run).satisfies(
                    e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.INSTANCE_NOT_FOUND));
        }
    }

    @Test
    void deleteRemovesDomainAndDirectoryAndAnUnknownInstanceIsSuccess() {
        spawn.handle(spawnCommand("r1", request("vm", "img")));
        assertThat(delete.handle(TestCommands.delete("r2", uuid)).payload()).containsEntry("state", "DELETED");
        assertThat(files.exists(uuid)).isFalse();
        assertThat(driver.listInstances()).isEmpty();
        assertThat(registry.find(uuid)).isEmpty();
        assertThat(delete.handle(TestCommands.delete("r3", uuid)).payload()).containsEntry("state", "DELETED");
    }

    @Test
    void registryRequiresExactlyOneHandlerForEveryCommand() {
        List<CommandHandler<?>> allButMigration = List.of(spawn, stop, start, reboot, delete);
        assertThatThrownBy(() -> new HandlerRegistry(List.of(spawn, stop)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("start");
        assertThatThrownBy(() -> new HandlerRegistry(allButMigration))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("migration.check");
        List<CommandHandler<?>> all = new ArrayList<>(allButMigration);
        for (CommandName name : CommandName.values()) {
            if (all.stream().noneMatch(h -> h.command() == name)) {
                all.add(TestCommands.handler(name, c -> new Outcome(Map.of("answered", name.wireName()))));
            }
        }
        HandlerRegistry registry = new HandlerRegistry(all);
        Command<MigrateArgs> migrate = TestCommands.migrate("m", uuid, new MigrateArgs("elsewhere", null, null, null,
                null, null));
        assertThat(registry.of(migrate).handle(migrate).payload()).containsEntry("answered", "migrate");
        assertThat(registry.of(TestCommands.stop("s", uuid, Duration.ZERO))).isSameAs(stop);
        all.add(stop);
        assertThatThrownBy(() -> new HandlerRegistry(all))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("two handlers for stop");
    }
}

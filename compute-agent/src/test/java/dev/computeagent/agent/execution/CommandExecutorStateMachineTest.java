package dev.computeagent.agent.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.DeleteHandler;
import dev.computeagent.agent.handler.HandlerRegistry;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.RebootHandler;
import dev.computeagent.agent.handler.StartHandler;
import dev.computeagent.agent.handler.StopHandler;
import dev.computeagent.agent.journal.FileRequestJournal;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import dev.computeagent.virt.fake.FakeSecurityGroupDriver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
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

/** The executor asks the state machine before a handler runs; a refusal is INVALID_STATE and changes nothing. */
class CommandExecutorStateMachineTest {

    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final RecordingEvents events = new RecordingEvents();
    private final UUID uuid = UUID.randomUUID();
    private InstanceStore store;
    private CommandExecutor executor;

    @BeforeEach
    void setUp() {
        InstanceRegistry registry = new InstanceRegistry("h1");
        InstanceFiles files = new InstanceFiles(stateDir, "test-host");
        store = new InstanceStore(driver, registry);
        List<CommandHandler<?>> handlers = new ArrayList<>(List.of(
                TestSpawns.handler(driver, new FakeImageCache(), registry, files, "h1"),
                new StartHandler(driver, store), new StopHandler(driver, store), new RebootHandler(driver, store),
                new DeleteHandler(driver, store, files, new FakeSecurityGroupDriver())));
        for (CommandName name : CommandName.values()) {
            if (handlers.stream().noneMatch(h -> h.command() == name)) {
                handlers.add(TestCommands.handler(name, c -> new Outcome(Map.of("ran", name.wireName()))));
            }
        }
        executor = new CommandExecutor(new InstanceLanes(1), new HandlerRegistry(handlers),
                new FileRequestJournal(stateDir.resolve("journal"), AgentJson.mapper(), Clock.systemUTC()), events,
                store, new SimpleMeterRegistry());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private EventMessage run(Command<?> command) {
        RecordedDelivery delivery = new RecordedDelivery();
        executor.execute(command, delivery);
        assertThat(delivery.settled()).isEqualTo("acked");
        List<EventMessage> published = events.of(command.requestId());
        assertThat(published).extracting(EventMessage::event).containsExactly(
                "instance." + command.name().wireName() + ".start",
                published.get(published.size() - 1).event());
        return published.get(published.size() - 1);
    }

    private void spawn() {
        EventMessage spawned = run(TestCommands.spawn("r-spawn", uuid, TestCommands.spawnArgs("vm",
                new Flavor(1, 128, 1, 0), "img", List.of(), Map.of(), Optional.empty())));
        assertThat(spawned.event()).isEqualTo("instance.spawn.end");
    }

    @Test
    void startOfAnInstanceInErrorIsRefusedInvalidStateAndChangesNothing() {
        spawn();
        store.record(uuid, InstanceState.ERROR, "cold migration unconfirmed");
        Map<String, String> before = driver.info(uuid).metadata().annotations();
        int starts = driver.callCount(FakeOperation.START);

        EventMessage refused = run(TestCommands.start("r-start", uuid));

        assertThat(refused.event()).isEqualTo("instance.start.error");
        assertThat(refused.error()).isNotNull();
        assertThat(refused.error().code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(refused.error().retriable()).isFalse();
        assertThat(refused.error().message()).contains("start", "ERROR");
        assertThat(refused.payload()).containsEntry("state", "ERROR");
        assertThat(driver.callCount(FakeOperation.START)).isEqualTo(starts);
        assertThat(driver.info(uuid).metadata().annotations()).isEqualTo(before)
                .containsEntry(Annotations.LAST_ERROR, "cold migration unconfirmed");
    }

    @Test
    void migrateOfABuildingInstanceIsRefusedBeforeItsHandlerRuns() {
        spawn();
        store.record(uuid, InstanceState.BUILDING, null);

        EventMessage refused = run(TestCommands.migrate("r-migrate", uuid,
                new MigrateArgs("h2", true, null, null, null, null)));

        assertThat(refused.event()).isEqualTo("instance.migrate.error");
        assertThat(refused.error().code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(refused.payload()).doesNotContainKey("ran");
    }

    @Test
    void anAllowedCommandRunsAndAnUnknownInstanceKeepsItsOwnAnswer() {
        spawn();
        assertThat(run(TestCommands.stop("r-stop", uuid, Duration.ZERO)).payload()).containsEntry("state", "STOPPED");
        assertThat(run(TestCommands.stop("r-stop-again", uuid, Duration.ZERO)).event()).isEqualTo("instance.stop.end");

        EventMessage unknown = run(TestCommands.start("r-unknown", UUID.randomUUID()));
        assertThat(unknown.error().code()).isEqualTo(ErrorCode.INSTANCE_NOT_FOUND);
        assertThat(run(TestCommands.delete("r-delete-unknown", UUID.randomUUID())).event())
                .isEqualTo("instance.delete.end");
    }
}

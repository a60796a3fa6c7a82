package dev.computeagent.agent.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.DeleteHandler;
import dev.computeagent.agent.handler.HandlerRegistry;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.PauseHandler;
import dev.computeagent.agent.handler.RebootHandler;
import dev.computeagent.agent.handler.RebuildCompletion;
import dev.computeagent.agent.handler.RebuildHandler;
import dev.computeagent.agent.handler.ResumeHandler;
import dev.computeagent.agent.handler.StartHandler;
import dev.computeagent.agent.handler.StopHandler;
import dev.computeagent.agent.handler.SuspendHandler;
import dev.computeagent.agent.handler.UnpauseHandler;
import dev.computeagent.agent.journal.FileRequestJournal;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.message.RebuildArgs;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStateMachine;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.RebuildFiles;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.RebootType;
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
import org.junit.jupiter.api.Test;

/**
 * Walks the state table ({@link InstanceStateMachine}) through the executor with the real handlers: for
 * every state an instance can be in and every lifecycle command ({@link #WALKED}), the instance is put in
 * that state, the command runs, and an allowed command is not refused while a refused one is answered
 * {@code INVALID_STATE} with the instance exactly as it was (power state and annotations). A subclass
 * supplies the driver (the fake, real libvirt with the tiny guest) and the image cache.
 */
abstract class StateTableWalk {

    /**
     * The rows walked: the lifecycle commands, whose handlers are wired here with the driver under test
     * (the others' rows are walked by their own tests, with the arguments and collaborators they need).
     */
    private static final List<CommandName> WALKED = List.of(CommandName.SPAWN, CommandName.START, CommandName.STOP,
            CommandName.REBOOT, CommandName.DELETE, CommandName.MIGRATE, CommandName.PAUSE, CommandName.UNPAUSE,
            CommandName.SUSPEND, CommandName.RESUME, CommandName.REBUILD);
    private static final SpawnArgs SPAWN = TestCommands.spawnArgs("walker", new Flavor(1, 64, 1, 0), "tiny",
            List.of(), Map.of(), Optional.empty());

    private final RecordingEvents events = new RecordingEvents();
    private final UUID uuid = UUID.randomUUID();
    private int requests;
    private ComputeDriver driver;
    private PowerOperations power;
    private InstanceStore store;
    private CommandExecutor executor;

    protected abstract ComputeDriver driver();

    protected abstract PowerOperations power();

    protected abstract ImageCache images();

    /** The agent's state directory, reachable by the hypervisor's guests. */
    protected abstract Path stateDir();

    private void wire() {
        driver = driver();
        power = power();
        InstanceRegistry registry = new InstanceRegistry("walk-host");
        InstanceFiles files = new InstanceFiles(stateDir(), "test-host");
        store = new InstanceStore(driver, registry);
        List<CommandHandler<?>> handlers = new ArrayList<>(List.of(
                TestSpawns.handler(driver, images(), registry, files, "walk-host"),
                new StartHandler(driver, store), new StopHandler(driver, store), new RebootHandler(driver, store),
                new DeleteHandler(driver, store, files, new FakeSecurityGroupDriver()), new PauseHandler(power, store),
                new UnpauseHandler(power, store), new SuspendHandler(power, store), new ResumeHandler(power, store),
                // the gate is under test, not the migration: an admitted migrate answers as it is
                TestCommands.<MigrateArgs>handler(CommandName.MIGRATE,
                        c -> Outcome.of(store.record(c.instanceUuid(), InstanceState.ACTIVE, null))),
                rebuildHandler(files)));
        for (CommandName name : CommandName.values()) {
            if (handlers.stream().noneMatch(h -> h.command() == name)) {
                handlers.add(TestCommands.handler(name, c -> {
                    throw new IllegalStateException(name.wireName() + " is not part of the walk");
                }));
            }
        }
        executor = new CommandExecutor(new InstanceLanes(1), new HandlerRegistry(handlers),
                new FileRequestJournal(stateDir().resolve("journal"), AgentJson.mapper(), Clock.systemUTC()), events,
                store, new SimpleMeterRegistry());
    }

    private RebuildHandler rebuildHandler(InstanceFiles files) {
        RebuildFiles rebuildFiles = new RebuildFiles(files);
        InstanceProvisioner provisioner = new InstanceProvisioner(images(), files, ConfigDrives.builder());
        return new RebuildHandler(driver, images(), store, files, rebuildFiles, provisioner, ConfigDrives.OPTIONS,
                new RebuildCompletion(driver, store, rebuildFiles, provisioner));
    }

    @Test
    void everyCommandInEveryStateIsAllowedOrRefusedAsTheTableSays() {
        wire();
        List<String> walked = new ArrayList<>();
        try {
            for (InstanceState state : InstanceState.values()) {
                if (state == InstanceState.DELETED) {
                    continue; // an instance in no state: each command's own rule, not the table's
                }
                // delete last: the next state then starts from one fresh spawn
                for (CommandName command : WALKED) {
                    if (command != CommandName.DELETE) {
                        walk(state, command);
                        walked.add(command.wireName() + "@" + state);
                    }
                }
                walk(state, CommandName.DELETE);
                walked.add("delete@" + state);
            }
        } finally {
            driver.destroy(uuid);
        }
        assertThat(walked).hasSize((InstanceState.values().length - 1) * WALKED.size());
    }

    private void walk(InstanceState state, CommandName command) {
        bring(state);
        InstanceInfo before = driver.info(uuid);
        EventMessage outcome = run(command);
        String cell = command.wireName() + " in " + state;
        if (InstanceStateMachine.allows(command, state)) {
            assertThat(outcome.error() == null ? null : outcome.error().code()).as(cell)
                    .isNotEqualTo(ErrorCode.INVALID_STATE);
            assertThat(outcome.event()).as(cell + ": " + outcome.error()).isEqualTo(
                    command == CommandName.SPAWN && state == InstanceState.ERROR
                            ? "instance.spawn.error" : "instance." + command.wireName() + ".end");
        } else {
            assertThat(outcome.event()).as(cell).isEqualTo("instance." + command.wireName() + ".error");
            assertThat(outcome.error().code()).as(cell).isEqualTo(ErrorCode.INVALID_STATE);
            assertThat(outcome.error().retriable()).as(cell).isFalse();
            InstanceInfo after = driver.info(uuid);
            assertThat(after.powerState()).as(cell).isEqualTo(before.powerState());
            assertThat(after.metadata().annotations()).as(cell).isEqualTo(before.metadata().annotations());
        }
    }

    private EventMessage run(CommandName command) {
        String requestId = "walk-" + (++requests);
        Command<?> c = switch (command) {
            case SPAWN -> TestCommands.spawn(requestId, uuid, SPAWN);
            case STOP -> TestCommands.stop(requestId, uuid, Duration.ZERO);
            case REBOOT -> TestCommands.reboot(requestId, uuid, RebootType.HARD, Duration.ZERO);
            case MIGRATE -> TestCommands.migrate(requestId, uuid, new MigrateArgs("elsewhere", false, null, null,
                    null, null));
            case REBUILD -> Command.of(requestId, uuid, command, new RebuildArgs(null, null, null, null, 0));
            default -> Command.of(requestId, uuid, command, NoArgs.INSTANCE);
        };
        RecordedDelivery delivery = new RecordedDelivery();
        executor.execute(c, delivery);
        assertThat(delivery.settled()).as(requestId).isEqualTo("acked");
        List<EventMessage> published = events.of(requestId);
        assertThat(published).as(requestId).hasSize(2);
        return published.get(1);
    }

    /** Puts the instance in {@code state} the way the agent would get there (creating it when it is gone). */
    private void bring(InstanceState state) {
        if (store.find(uuid).isEmpty()) {
            assertThat(run(CommandName.SPAWN).event()).isEqualTo("instance.spawn.end");
        }
        if (current() == state) {
            return;
        }
        // back to a running, ACTIVE instance first
        PowerState powerState = driver.info(uuid).powerState();
        if (powerState == PowerState.PAUSED) {
            power.unpause(uuid);
        } else if (powerState != PowerState.RUNNING) {
            power.resume(uuid); // restores a saved run, else boots
        }
        store.record(uuid, InstanceState.ACTIVE, null);
        switch (state) {
            case ACTIVE -> { }
            case STOPPED -> driver.stop(uuid, Duration.ZERO);
            case PAUSED -> power.pause(uuid);
            case SUSPENDED -> power.suspend(uuid);
            default -> { }
        }
        store.record(uuid, state, state == InstanceState.ERROR ? "walked into ERROR" : null);
        assertThat(current()).as("brought to " + state).isEqualTo(state);
    }

    private InstanceState current() {
        InstanceInfo info = driver.info(uuid);
        return Annotations.current(info.metadata(), info.powerState());
    }
}

package dev.computeagent.agent.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.HandlerRegistry;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.journal.FileRequestJournal;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.message.MigrationAbortArgs;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.virt.fake.FakeComputeDriver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor lets the handler run while the broker confirms {@code .start}, and waits for that confirm
 * before the final event: the outcome never overtakes {@code .start}, an unconfirmed {@code .start} is sent
 * again first, and one that cannot be sent at all leaves the command undone and returned to the queue.
 */
class CommandExecutorStartConfirmTest {

    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final UUID uuid = UUID.randomUUID();

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void theHandlerRunsWhileStartIsConfirmedAndTheOutcomeWaitsForTheConfirm() {
        CompletableFuture<Boolean> startConfirm = new CompletableFuture<>();
        LateConfirms events = new LateConfirms(startConfirm);
        AtomicBoolean ranBeforeTheConfirm = new AtomicBoolean();
        CommandExecutor executor = executor(events, () -> {
            ranBeforeTheConfirm.set(!startConfirm.isDone());
            // the broker's confirm arrives while the handler works
            startConfirm.complete(true);
        });
        RecordedDelivery delivery = new RecordedDelivery();

        executor.execute(TestCommands.delete("r1", uuid), delivery);

        assertThat(ranBeforeTheConfirm).isTrue();
        assertThat(events.published).extracting(EventMessage::event)
                .containsExactly("instance.delete.start", "instance.delete.end");
        assertThat(delivery.settled()).isEqualTo("acked");
    }

    @Test
    void aStartTheBrokerDidNotConfirmIsSentAgainBeforeTheOutcome() {
        CompletableFuture<Boolean> startConfirm = new CompletableFuture<>();
        LateConfirms events = new LateConfirms(startConfirm);
        RecordedDelivery delivery = new RecordedDelivery();

        // the broker's refusal (or the confirm's time running out) arrives while the handler works
        executor(events, () -> startConfirm.complete(false)).execute(TestCommands.delete("r1", uuid), delivery);

        assertThat(events.published).extracting(EventMessage::event)
                .containsExactly("instance.delete.start", "instance.delete.start", "instance.delete.end");
        assertThat(delivery.settled()).isEqualTo("acked");
    }

    @Test
    void aStartThatCannotBeSentLeavesTheCommandUndoneAndRequeued() {
        LateConfirms events = new LateConfirms(CompletableFuture.completedFuture(false));
        AtomicBoolean ran = new AtomicBoolean();
        RecordedDelivery delivery = new RecordedDelivery();

        executor(events, () -> ran.set(true)).execute(TestCommands.delete("r1", uuid), delivery);

        assertThat(ran).isFalse();
        assertThat(events.published).extracting(EventMessage::event).containsExactly("instance.delete.start");
        assertThat(delivery.settled()).isEqualTo("requeued");
    }

    @Test
    void anAgentToAgentStepRepliesBeforeItsFinalEventAControllersCommandAfterIt() {
        RecordingEvents events = new RecordingEvents();
        CommandExecutor executor = executor(events, () -> { });

        executor.execute(Command.of("r1.abort", uuid, CommandName.MIGRATION_ABORT,
                new MigrationAbortArgs("a", null)).sentBy("a"), new Replied());
        executor.execute(TestCommands.delete("r2", uuid), new Replied());

        assertThat(events.sent()).containsExactly("event instance.migration.abort.start",
                "reply instance.migration.abort.end", "event instance.migration.abort.end",
                "event instance.delete.start", "event instance.delete.end", "reply instance.delete.end");
    }

    private CommandExecutor executor(EventSink events, Runnable work) {
        InstanceStore store = new InstanceStore(driver, new InstanceRegistry("h1"));
        List<CommandHandler<?>> handlers = new ArrayList<>();
        for (CommandName name : CommandName.values()) {
            handlers.add(TestCommands.handler(name, c -> {
                work.run();
                return Outcome.deleted();
            }));
        }
        return new CommandExecutor(new InstanceLanes(1), new HandlerRegistry(handlers),
                new FileRequestJournal(stateDir.resolve("journal"), AgentJson.mapper(), Clock.systemUTC()),
                events, store, new SimpleMeterRegistry());
    }

    /** A first delivery with {@code reply_to}, acknowledged or not. */
    private static final class Replied implements Delivery {

        @Override
        public String replyTo() {
            return "reply-queue";
        }

        @Override
        public String correlationId() {
            return "c1";
        }

        @Override
        public boolean redelivered() {
            return false;
        }

        @Override
        public void ack() {
        }

        @Override
        public void requeue() {
        }

        @Override
        public void abandon() {
        }
    }

    /** Every event is taken; {@code .start} sent through {@link #publishing} is confirmed by the given future. */
    private static final class LateConfirms implements EventSink {

        private final List<EventMessage> published = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Boolean> startConfirm;

        LateConfirms(CompletableFuture<Boolean> startConfirm) {
            this.startConfirm = startConfirm;
        }

        @Override
        public EventMessage event(String name, @Nullable String requestId, @Nullable String instanceUuid,
                                  Map<String, Object> payload, @Nullable ErrorBody error) {
            return new EventMessage(EventMessage.VERSION, name, "h1", Instant.now(), requestId, instanceUuid, payload,
                    error);
        }

        @Override
        public boolean publish(EventMessage event) {
            published.add(event);
            return true;
        }

        @Override
        public CompletableFuture<Boolean> publishing(EventMessage event) {
            published.add(event);
            return startConfirm;
        }

        @Override
        public boolean reply(@Nullable String replyTo, @Nullable String correlationId, EventMessage event) {
            return true;
        }
    }
}

package dev.computeagent.agent.execution;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.execution.Delivery;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.handler.HandlerRegistry;
import dev.computeagent.agent.handler.InstanceStateCheck;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.journal.CompletedRequest;
import dev.computeagent.agent.journal.RequestJournal;
import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.InstanceInfo;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs accepted commands on their instance's lane with the contract's at-least-once protocol:
 * a request already in the journal for the same instance and command is answered again from it (a
 * request id reused for another instance or command is refused, see {@link #rejectReusedRequestId});
 * otherwise {@code .start} is published (its confirm awaited before the final event, so that the broker
 * confirms it while the handler runs; when it did not, it is sent again before the final event), the
 * command is admitted by the instance's state ({@link InstanceStateCheck}, else {@code INVALID_STATE}),
 * the handler runs (given the instance as the check read it, so that it need not read it again), its
 * outcome is journaled, the final event and the reply are published (both sent, then both confirms
 * awaited: {@link EventSink#announce}), and only then is the message acknowledged. When the broker does not
 * confirm, the message is returned for redelivery, which the journal then answers. Writes a handler left
 * running behind its outcome ({@link Outcome#recording}) finish before the lane takes the instance's next
 * command.
 *
 * <p>What the broker confirmed is journaled too: a redelivery (the acknowledgement was lost with its
 * channel) of a request whose final event and reply are confirmed is acknowledged without publishing
 * them again; a re-send by the controller (a new message with the same request id) is answered again.
 * Every request ends with exactly one final event: anything unexpected (a failure outside the handler,
 * an outcome that cannot be encoded) is answered {@code .error} {@code INTERNAL_ERROR} (not
 * retriable, journaled like any outcome), never returned to the queue to fail again until the
 * delivery limit dead-letters it unanswered.
 *
 * <p>About 300 lines: the at-least-once protocol (journal, confirmed events, acknowledgement) is one
 * sequence whose order is the contract; split, its order could no longer be read in one place.
 */
public final class CommandExecutor {

    private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);

    private final InstanceLanes lanes;
    private final HandlerRegistry handlers;
    private final RequestJournal journal;
    private final EventSink events;
    private final InstanceStore store;
    private final CommandPayloads payloads;
    private final InstanceStateCheck stateCheck;
    private final MeterRegistry meters;

    public CommandExecutor(InstanceLanes lanes, HandlerRegistry handlers, RequestJournal journal,
                           EventSink events, InstanceStore store, MeterRegistry meters) {
        this.lanes = lanes;
        this.handlers = handlers;
        this.journal = journal;
        this.events = events;
        this.store = store;
        this.payloads = new CommandPayloads(store);
        this.stateCheck = new InstanceStateCheck(store);
        this.meters = meters;
    }

    /**
     * Queues the command on its instance's lane (a {@link CommandName#control()} command on its control
     * lane); when the lanes are closed the delivery is abandoned.
     */
    public void submit(Command<?> command, Delivery delivery) {
        InstanceLanes.LaneTask task = new InstanceLanes.LaneTask() {
            @Override
            public void run() {
                execute(command, delivery);
            }

            @Override
            public void abandon() {
                delivery.abandon();
            }
        };
        boolean queued = command.name().control() ? lanes.submitControl(command.instanceUuid(), task)
                : lanes.submit(command.instanceUuid(), task);
        if (!queued) {
            delivery.abandon();
        }
    }

    /**
     * Executes on the calling thread (which must hold the instance's lane), and returns once what the
     * handler still {@linkplain Outcome#recording records} after the final event is done. Never throws.
     */
    void execute(Command<?> command, Delivery delivery) {
        Execution execution = new Execution(command, delivery);
        try {
            execution.run();
        } catch (RuntimeException | Error e) {
            execution.brokeOff(e);
        } finally {
            execution.awaitRecording();
        }
    }

    /** One delivery of a command, from the journal lookup to the acknowledgement. */
    private final class Execution {
        private final Command<?> command;
        private final Delivery delivery;
        private final Timer.Sample sample;
        private final String prefix;
        private final String uuid;
        /** {@code .start} went to the broker; {@link #startConfirm} says whether it confirmed it. */
        private boolean started;
        private CompletableFuture<Boolean> startConfirm = CompletableFuture.completedFuture(false);
        /** The final event went to the broker (confirmed or not): a redelivery is answered from the journal. */
        private boolean answering;
        /** The handler's writes that go on after its outcome is announced. */
        private CompletableFuture<Void> recording = CompletableFuture.completedFuture(null);

        Execution(Command<?> command, Delivery delivery) {
            this.command = command;
            this.delivery = delivery;
            this.sample = Timer.start(meters);
            this.prefix = "instance." + command.name().wireName();
            this.uuid = command.instanceUuid().toString();
        }

        void run() {
            Optional<CompletedRequest> recorded = journal.find(command.requestId());
            if (recorded.isPresent() && recordedFor(recorded.get().finalEvent(), prefix, uuid)) {
                answerAgain(recorded.get());
                return;
            }
            if (recorded.isPresent()) {
                rejectReusedRequestId(recorded.get().finalEvent());
                return;
            }
            Map<String, Object> startPayload = payloads.current(command);
            if (!startSending(startPayload)) {
                // nothing done yet: let the broker hand it to us (or a restarted us) again
                delivery.requeue();
                return;
            }
            EventMessage last;
            try {
                Outcome outcome = handle(command);
                recording = outcome.recording();
                last = events.event(prefix + ".end", command.requestId(), uuid, outcome.payload(), null);
            } catch (Throwable failure) {
                ErrorBody error = ErrorMapper.toError(failure);
                if (error.code() == ErrorCode.INTERNAL_ERROR) {
                    log.error("{} {} of {} failed unexpectedly", command.name().wireName(), command.requestId(), uuid,
                            failure);
                } else {
                    log.info("{} {} of {} failed: {} {}", command.name().wireName(), command.requestId(), uuid,
                            error.code(), error.message());
                }
                noteError(command, error);
                last = events.event(prefix + ".error", command.requestId(), uuid, payloads.afterError(command), error);
            }
            if (!startConfirmed(startPayload)) {
                // done, but the broker takes nothing now: the redelivery is answered from the journal
                recordQuietly(CompletedRequest.unannounced(last));
                settle(false, last);
                return;
            }
            announceNew(last);
        }

        /**
         * The request completed before: a redelivery whose event (and reply) the broker confirmed is only
         * acknowledged; anything else is answered again.
         */
        private void answerAgain(CompletedRequest recorded) {
            boolean redelivery = delivery.redelivered();
            boolean publishEvent = !(redelivery && recorded.published());
            boolean sendReply = replyAsked() && !(redelivery && recorded.replied());
            if (publishEvent || sendReply) {
                log.info("request {} already completed; answering again from the journal", command.requestId());
            } else {
                log.info("request {} was already answered and confirmed; acknowledging its redelivery without "
                        + "publishing it again", command.requestId());
            }
            announce(recorded, publishEvent, sendReply);
        }

        /**
         * A request id already completed for another instance or command: replaying that outcome would
         * report something that did not happen, and running the command would break the id's idempotency
         * (a redelivery of the first request would then replay this one). So it is neither: the command
         * is answered {@code .start} then {@code .error} {@code INVALID_COMMAND} (not retriable),
         * acknowledged, and the journal keeps the first request's record. It is not dead-lettered: the
         * message itself is well-formed, only its id is reused.
         */
        private void rejectReusedRequestId(EventMessage recorded) {
            log.warn("request id {} was already used for {} of {}; refusing {} of {}", command.requestId(),
                    recorded.event(), recorded.instanceUuid(), command.name().wireName(), uuid);
            if (!start(payloads.current(command))) {
                delivery.requeue();
                return;
            }
            ErrorBody error = new ErrorBody(ErrorCode.INVALID_COMMAND, "request_id " + command.requestId()
                    + " was already used for another request (" + recorded.event() + " of instance "
                    + recorded.instanceUuid() + ")", false);
            EventMessage last = events.event(prefix + ".error", command.requestId(), uuid, payloads.current(command),
                    error);
            boolean published = events.publish(last);
            answering = true;
            boolean replied = events.reply(delivery.replyTo(), delivery.correlationId(), last);
            settle(published && replied, last);
        }

        /**
         * Something failed outside the handler (the journal unreadable, an outcome that cannot be
         * encoded, an {@link Error}): the request is answered {@code INTERNAL_ERROR} rather than
         * returned to the queue, where it would fail the same way until dead-lettered unanswered.
         */
        void brokeOff(Throwable failure) {
            if (answering) {
                log.error("{} {} of {} broke off while its outcome was being sent; a redelivery answers it from the "
                        + "journal", command.name().wireName(), command.requestId(), uuid, failure);
                delivery.requeue();
                return;
            }
            log.error("{} {} of {} broke off unexpectedly; answering INTERNAL_ERROR", command.name().wireName(),
                    command.requestId(), uuid, failure);
            try {
                if (started) {
                    startConfirm.join(); // the answer must not overtake .start
                }
                if (!started && !start(payloads.safe(command))) {
                    delivery.requeue();
                    return;
                }
                ErrorBody error = new ErrorBody(ErrorCode.INTERNAL_ERROR, "the agent failed unexpectedly while "
                        + "handling " + command.name().wireName() + " (" + failure.getClass().getSimpleName()
                        + "); see its log", false);
                announceNew(events.event(prefix + ".error", command.requestId(), uuid, payloads.safe(command), error));
            } catch (RuntimeException | Error again) {
                log.error("{} {} could not be answered either; returning it to the queue", command.name().wireName(),
                        command.requestId(), again);
                delivery.requeue();
            }
        }

        /** Lets the handler's last writes finish on this lane: the instance's next command must see them. */
        void awaitRecording() {
            try {
                recording.join();
            } catch (RuntimeException e) {
                log.error("{} {} of {}: a write after its outcome failed", command.name().wireName(),
                        command.requestId(), uuid, e);
            }
        }

        private boolean start(Map<String, Object> payload) {
            started = events.publish(events.event(prefix + ".start", command.requestId(), uuid, payload, null));
            startConfirm = CompletableFuture.completedFuture(started);
            return started;
        }

        /**
         * Sends {@code .start} and lets the handler run while the broker confirms it ({@link #startConfirmed}
         * waits before the final event): its round trip is off the command's path. False when the send failed
         * at once (nothing is done yet).
         */
        private boolean startSending(Map<String, Object> payload) {
            startConfirm = events.publishing(events.event(prefix + ".start", command.requestId(), uuid, payload, null));
            started = !startConfirm.isDone() || startConfirm.join();
            return started;
        }

        /**
         * Waits for the confirm of {@code .start}, so that the final event never overtakes it; when the broker did
         * not confirm it, it is sent once more (a second {@code .start} is harmless, a missing one is not).
         */
        private boolean startConfirmed(Map<String, Object> payload) {
            if (startConfirm.join()) {
                return true;
            }
            log.warn("{} {} of {}: .start was not confirmed; sending it again before the outcome",
                    command.name().wireName(), command.requestId(), uuid);
            return start(payload);
        }

        /** Journals a new outcome, then {@link #announce}s it. */
        private void announceNew(EventMessage last) {
            CompletedRequest completed = CompletedRequest.unannounced(last);
            recordQuietly(completed);
            announce(completed, true, replyAsked());
        }

        /**
         * Publishes the journaled outcome's final event and the reply as asked, acknowledges the delivery
         * when all that was confirmed (else returns it for redelivery), then journals what the broker
         * confirmed. That is written after the acknowledgement: a redelivery runs on this lane, so only
         * after this.
         */
        private void announce(CompletedRequest completed, boolean publishEvent, boolean sendReply) {
            EventMessage last = completed.finalEvent();
            // both sent before either confirm is awaited; throws when the event cannot be encoded: then neither
            // went out, and brokeOff answers instead
            // an agent-to-agent step's sender waits on its reply: that goes first
            EventSink.Announced sent = events.announce(last, publishEvent, delivery.replyTo(), delivery.correlationId(),
                    sendReply, command.name().internal());
            answering = true;
            boolean published = sent.published();
            boolean replied = sent.replied();
            settle(published && replied, last);
            CompletedRequest confirmed = completed.with(completed.published() || publishEvent && published,
                    sendReply ? replied : completed.replied());
            if (!confirmed.equals(completed)) {
                recordQuietly(confirmed);
            }
        }

        private void settle(boolean confirmed, EventMessage last) {
            if (confirmed) {
                delivery.ack();
            } else {
                delivery.requeue();
            }
            sample.stop(meters.timer("agent.commands", "command", command.name().wireName(),
                    "outcome", last.isError() ? "error" : "success"));
        }

        private void recordQuietly(CompletedRequest completed) {
            try {
                journal.record(command.requestId(), completed);
            } catch (RuntimeException e) {
                // the outcome is still reported; a redelivery would run the (idempotent) handler again
                log.error("request {} completed but could not be journaled", command.requestId(), e);
            }
        }

        private boolean replyAsked() {
            return delivery.replyTo() != null && !delivery.replyTo().isEmpty();
        }
    }

    /** The journaled outcome answers this command only if it was recorded for the same instance and command. */
    private static boolean recordedFor(EventMessage recorded, String prefix, String uuid) {
        return uuid.equals(recorded.instanceUuid())
                && (recorded.event().equals(prefix + ".end") || recorded.event().equals(prefix + ".error"));
    }

    private <A extends CommandArgs> Outcome handle(Command<A> command) {
        Optional<InstanceInfo> admitted = stateCheck.admit(command);
        return handlers.of(command).handle(command, admitted);
    }

    private void noteError(Command<?> command, ErrorBody error) {
        if (command.name() == CommandName.SPAWN && error.code() != ErrorCode.INSTANCE_EXISTS) {
            return; // a failed spawn left nothing to annotate
        }
        if (error.code() == ErrorCode.INSTANCE_EXISTS || error.code() == ErrorCode.INSTANCE_NOT_FOUND
                || error.code() == ErrorCode.INVALID_STATE) {
            return; // the error is about the request, not the instance (a refused command changes nothing)
        }
        try {
            store.noteError(command.instanceUuid(), error.code() + ": " + error.message());
        } catch (RuntimeException e) {
            log.warn("could not record the error with instance {}", command.instanceUuid(), e);
        }
    }
}

package dev.computeagent.agent.execution;

import dev.computeagent.agent.amqp.Delivery;
import dev.computeagent.agent.amqp.EventPublisher;
import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.HandlerRegistry;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.journal.RequestJournal;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.InstanceStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs accepted commands on their instance's lane with the at-least-once protocol of DESIGN.md §3:
 * a request already in the journal for the same instance and command is answered again from it (a
 * request id reused for another instance or command is refused, see {@link #rejectReusedRequestId});
 * otherwise {@code .start} is
 * published (confirmed), the handler runs, its outcome is journaled, the final event and the reply
 * are published (confirmed), and only then is the message acknowledged. When the broker does not
 * confirm, the message is returned for redelivery, which the journal then answers.
 */
public final class CommandExecutor {

    private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);

    private final InstanceLanes lanes;
    private final HandlerRegistry handlers;
    private final RequestJournal journal;
    private final EventPublisher events;
    private final InstanceStore store;
    private final MeterRegistry meters;

    public CommandExecutor(InstanceLanes lanes, HandlerRegistry handlers, RequestJournal journal,
                           EventPublisher events, InstanceStore store, MeterRegistry meters) {
        this.lanes = lanes;
        this.handlers = handlers;
        this.journal = journal;
        this.events = events;
        this.store = store;
        this.meters = meters;
    }

    /** Queues the command on its instance's lane; when the lanes are closed the delivery is abandoned. */
    public void submit(Command command, Delivery delivery) {
        boolean queued = lanes.submit(command.instanceUuid(), new InstanceLanes.LaneTask() {
            @Override
            public void run() {
                try {
                    execute(command, delivery);
                } catch (RuntimeException | Error e) {
                    // never leave a delivery unsettled on a live channel: return it; a poison message
                    // reaches the dead-letter queue through the queue's delivery limit
                    log.error("{} {} broke off unexpectedly; returning it to the queue", command.name().wireName(),
                            command.requestId(), e);
                    delivery.requeue();
                }
            }

            @Override
            public void abandon() {
                delivery.abandon();
            }
        });
        if (!queued) {
            delivery.abandon();
        }
    }

    /** Executes on the calling thread (which must hold the instance's lane). */
    void execute(Command command, Delivery delivery) {
        Timer.Sample sample = Timer.start(meters);
        String prefix = "instance." + command.name().wireName();
        String uuid = command.instanceUuid().toString();
        Optional<EventMessage> recorded = journal.find(command.requestId());
        if (recorded.isPresent() && recordedFor(recorded.get(), prefix, uuid)) {
            log.info("request {} already completed; answering again from the journal", command.requestId());
            finish(command, delivery, recorded.get(), sample);
            return;
        }
        if (recorded.isPresent()) {
            rejectReusedRequestId(command, delivery, recorded.get(), prefix, uuid, sample);
            return;
        }
        EventMessage start = events.event(prefix + ".start", command.requestId(), uuid, currentPayload(command), null);
        if (!events.publish(start)) {
            // nothing done yet: let the broker hand it to us (or a restarted us) again
            delivery.requeue();
            return;
        }
        EventMessage last;
        try {
            Outcome outcome = run(command);
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
            last = events.event(prefix + ".error", command.requestId(), uuid, errorPayload(command), error);
        }
        try {
            journal.record(command.requestId(), last);
        } catch (RuntimeException e) {
            // the outcome is still reported; a redelivery would run the (idempotent) handler again
            log.error("request {} completed but could not be journaled", command.requestId(), e);
        }
        finish(command, delivery, last, sample);
    }

    /** The journaled outcome answers this command only if it was recorded for the same instance and command. */
    private static boolean recordedFor(EventMessage recorded, String prefix, String uuid) {
        return uuid.equals(recorded.instanceUuid())
                && (recorded.event().equals(prefix + ".end") || recorded.event().equals(prefix + ".error"));
    }

    /**
     * A request id already completed for another instance or command: replaying that outcome would
     * report something that did not happen, and running the command would break the id's idempotency
     * (a redelivery of the first request would then replay this one). So it is neither: the command is
     * answered {@code .start} then {@code .error} {@code INVALID_COMMAND} (not retriable), acknowledged,
     * and the journal keeps the first request's record. It is not dead-lettered: the message itself is
     * well-formed, only its id is reused.
     */
    private void rejectReusedRequestId(Command command, Delivery delivery, EventMessage recorded, String prefix,
                                       String uuid, Timer.Sample sample) {
        log.warn("request id {} was already used for {} of {}; refusing {} of {}", command.requestId(),
                recorded.event(), recorded.instanceUuid(), command.name().wireName(), uuid);
        EventMessage start = events.event(prefix + ".start", command.requestId(), uuid, currentPayload(command), null);
        if (!events.publish(start)) {
            delivery.requeue();
            return;
        }
        ErrorBody error = new ErrorBody(ErrorCode.INVALID_COMMAND, "request_id " + command.requestId()
                + " was already used for another request (" + recorded.event() + " of instance "
                + recorded.instanceUuid() + ")", false);
        finish(command, delivery, events.event(prefix + ".error", command.requestId(), uuid,
                currentPayload(command), error), sample);
    }

    private Outcome run(Command command) {
        Optional<CommandHandler<Command>> handler = handlers.find(command);
        if (handler.isEmpty()) {
            throw new CommandFailedException(ErrorCode.INTERNAL_ERROR,
                    "no handler for command " + command.name().wireName() + " on this agent", false);
        }
        return handler.get().handle(command);
    }

    private void finish(Command command, Delivery delivery, EventMessage last, Timer.Sample sample) {
        boolean published = events.publish(last);
        boolean replied = events.reply(delivery.replyTo(), delivery.correlationId(), last);
        if (published && replied) {
            delivery.ack();
        } else {
            delivery.requeue();
        }
        sample.stop(meters.timer("agent.commands", "command", command.name().wireName(),
                "outcome", last.isError() ? "error" : "success"));
    }

    private Map<String, Object> currentPayload(Command command) {
        if (command.name() == CommandName.SPAWN && store.view(command.instanceUuid()).isEmpty()) {
            return Map.of("state", InstanceState.BUILDING.name(), "power_state", "NOSTATE");
        }
        return withDestination(command, store.view(command.instanceUuid()).map(Outcome::payloadOf).orElse(Map.of()));
    }

    private Map<String, Object> errorPayload(Command command) {
        return withDestination(command, store.view(command.instanceUuid()).map(Outcome::payloadOf)
                .orElseGet(() -> command.name() == CommandName.SPAWN
                        ? Map.of("state", InstanceState.ERROR.name(), "power_state", "NOSTATE")
                        : Map.of()));
    }

    /** Every migrate event names the destination (DESIGN.md §3). */
    private static Map<String, Object> withDestination(Command command, Map<String, Object> payload) {
        if (!(command instanceof Command.Migrate migrate)) {
            return payload;
        }
        Map<String, Object> p = new java.util.LinkedHashMap<>(payload);
        p.put("destination", migrate.args().destination());
        return p;
    }

    private void noteError(Command command, ErrorBody error) {
        if (command.name() == CommandName.SPAWN && error.code() != ErrorCode.INSTANCE_EXISTS) {
            return; // a failed spawn left nothing to annotate
        }
        if (error.code() == ErrorCode.INSTANCE_EXISTS || error.code() == ErrorCode.INSTANCE_NOT_FOUND) {
            return; // the error is about the request, not the instance
        }
        try {
            store.noteError(command.instanceUuid(), error.code() + ": " + error.message());
        } catch (RuntimeException e) {
            log.warn("could not record the error with instance {}", command.instanceUuid(), e);
        }
    }
}

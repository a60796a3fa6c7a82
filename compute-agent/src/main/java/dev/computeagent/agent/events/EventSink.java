package dev.computeagent.agent.events;

import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.EventMessage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Where the agent's events go: the port through which the executor, the power-state sync, recovery and
 * the heartbeat publish, implemented over the broker by {@code amqp.EventPublisher}. {@link #publish} and
 * {@link #reply} return whether the broker confirmed; they never throw for broker trouble (a down broker
 * is a false, the caller decides). An event that cannot be encoded as JSON is an
 * {@link IllegalArgumentException}: no retry would send it.
 */
public interface EventSink {

    /** A new event from this host, stamped now. */
    EventMessage event(String name, @Nullable String requestId, @Nullable String instanceUuid,
                       Map<String, Object> payload, @Nullable ErrorBody error);

    /** Publishes on {@code compute.events} (without the payload's reply-only part). */
    boolean publish(EventMessage event);

    /**
     * {@link #publish} whose confirm the caller awaits later: the event is handed to the broker before this
     * returns, the future tells whether the broker confirmed it (false too when the send failed, at once, or
     * no confirm came in time); it never completes exceptionally. An event that cannot be encoded is thrown
     * here, as by {@link #publish}. This default publishes synchronously.
     */
    default CompletableFuture<Boolean> publishing(EventMessage event) {
        return CompletableFuture.completedFuture(publish(event));
    }

    /** Sends {@code event} to {@code replyTo} with {@code correlationId}; no reply address = nothing to do. */
    boolean reply(@Nullable String replyTo, @Nullable String correlationId, EventMessage event);

    /**
     * {@link #publish} (when {@code publish}) and {@link #reply} (when {@code reply}) of one final event, with the
     * same results; an implementation may send both before waiting for their confirms, so that the two waits
     * overlap. As with the two calls one after the other, the reply is sent whether or not the event is confirmed.
     * An event that cannot be encoded is an {@link IllegalArgumentException} before either was sent. The default
     * calls them one after the other.
     *
     * @param replyFirst send the reply before the event: for an agent-to-agent step, whose sender waits on the reply
     *                   while the event only informs; otherwise the event goes first, so that a controller that got
     *                   the reply finds the event sent already
     */
    default Announced announce(EventMessage event, boolean publish, @Nullable String replyTo,
                               @Nullable String correlationId, boolean reply, boolean replyFirst) {
        boolean replied = true;
        if (reply && replyFirst) {
            replied = reply(replyTo, correlationId, event);
        }
        boolean published = !publish || publish(event);
        if (reply && !replyFirst) {
            replied = reply(replyTo, correlationId, event);
        }
        return new Announced(published, replied);
    }

    /**
     * What {@link #announce} got confirmed; what it was not asked to send counts as confirmed.
     *
     * @param published the event is on {@code compute.events}
     * @param replied   the reply is sent (or there was none to send)
     */
    record Announced(boolean published, boolean replied) {
    }
}

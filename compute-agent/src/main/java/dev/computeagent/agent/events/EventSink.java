package dev.computeagent.agent.events;

import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.EventMessage;
import java.util.Map;
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

    /** Sends {@code event} to {@code replyTo} with {@code correlationId}; no reply address = nothing to do. */
    boolean reply(@Nullable String replyTo, @Nullable String correlationId, EventMessage event);
}

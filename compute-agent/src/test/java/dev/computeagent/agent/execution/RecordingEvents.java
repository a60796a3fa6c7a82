package dev.computeagent.agent.execution;

import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.EventMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/** An {@link EventSink} that keeps what was published, in order, and confirms everything. */
final class RecordingEvents implements EventSink {

    private final List<EventMessage> published = new CopyOnWriteArrayList<>();

    @Override
    public EventMessage event(String name, @Nullable String requestId, @Nullable String instanceUuid,
                              Map<String, Object> payload, @Nullable ErrorBody error) {
        return new EventMessage(EventMessage.VERSION, name, "h1", Instant.now(), requestId, instanceUuid, payload, error);
    }

    @Override
    public boolean publish(EventMessage event) {
        published.add(event);
        return true;
    }

    @Override
    public boolean reply(@Nullable String replyTo, @Nullable String correlationId, EventMessage event) {
        return true;
    }

    /** The events of {@code requestId}, in publication order. */
    List<EventMessage> of(String requestId) {
        return published.stream().filter(e -> requestId.equals(e.requestId())).toList();
    }
}

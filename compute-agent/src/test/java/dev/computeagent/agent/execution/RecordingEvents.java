package dev.computeagent.agent.execution;

import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.EventMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/** An {@link EventSink} that keeps what was published (and the order of events and replies) and confirms everything. */
final class RecordingEvents implements EventSink {

    private final List<EventMessage> published = new CopyOnWriteArrayList<>();
    /** Every event and reply as "event name" or "reply name", in the order they were sent. */
    private final List<String> sent = new CopyOnWriteArrayList<>();

    @Override
    public EventMessage event(String name, @Nullable String requestId, @Nullable String instanceUuid,
                              Map<String, Object> payload, @Nullable ErrorBody error) {
        return new EventMessage(EventMessage.VERSION, name, "h1", Instant.now(), requestId, instanceUuid, payload, error);
    }

    @Override
    public boolean publish(EventMessage event) {
        published.add(event);
        sent.add("event " + event.event());
        return true;
    }

    @Override
    public boolean reply(@Nullable String replyTo, @Nullable String correlationId, EventMessage event) {
        sent.add("reply " + event.event());
        return true;
    }

    /** What was sent, events and replies, in order. */
    List<String> sent() {
        return List.copyOf(sent);
    }

    /** The events of {@code requestId}, in publication order. */
    List<EventMessage> of(String requestId) {
        return published.stream().filter(e -> requestId.equals(e.requestId())).toList();
    }
}

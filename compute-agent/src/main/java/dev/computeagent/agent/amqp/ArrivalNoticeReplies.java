package dev.computeagent.agent.amqp;

import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.migration.ArrivalNotice;
import dev.computeagent.agent.migration.ArrivalNotices;
import java.util.Map;
import java.util.UUID;

/**
 * {@code instance.migration.arrived} as a reply: to the source's private reply address only, with the
 * correlation id it waits on, never on {@code compute.events} (the source's {@code instance.migrate.end} tells
 * the controller).
 */
public final class ArrivalNoticeReplies implements ArrivalNotices {

    private final EventSink events;

    public ArrivalNoticeReplies(EventSink events) {
        this.events = events;
    }

    @Override
    public boolean send(ArrivalNotice notice, UUID uuid, Map<String, Object> payload) {
        return events.reply(notice.replyTo(), notice.correlationId(),
                events.event(ArrivalNotices.EVENT, notice.requestId(), uuid.toString(), payload, null));
    }
}

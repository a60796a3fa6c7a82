package dev.computeagent.agent.amqp;

import com.rabbitmq.client.Channel;
import dev.computeagent.agent.execution.BackgroundTasks;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.EventMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;

/**
 * Answers rejected messages off the consumer thread. A rejection's {@code command.rejected} event (and
 * reply) is published and confirmed first; only then is the message dead-lettered: rejected without
 * requeue, or, for a misrouted one, copied to this host's dead-letter queue (confirmed) and acknowledged.
 * While the broker does not confirm (flow control, a resource alarm, an outage) the consumer goes on
 * taking messages; the answer is retried with backoff and the message stays unacknowledged (it counts
 * against the prefetch, and if its channel closes the broker delivers it again, to be answered again).
 * So waiting for the broker never stalls intake, and no message is dead-lettered unannounced.
 *
 * <p>An event that cannot be encoded (text of the message no JSON encoder accepts) is replaced by one
 * with the same request id, instance and error code and a reason saying so.
 */
public final class RejectionSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RejectionSender.class);
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    private final EventPublisher events;
    private final ScheduledExecutorService sender = BackgroundTasks.daemonScheduler("agent-rejections");
    private volatile boolean closed;

    public RejectionSender(EventPublisher events) {
        this.events = events;
    }

    /**
     * Publishes {@code event} (and the reply the message asked for), then dead-letters {@code message},
     * received on {@code channel}. Returns at once.
     *
     * @param misrouted the message came with another host's routing key: the broker's own dead-lettering
     *                  would keep that key and miss this host's dead-letter queue, so it is copied there
     */
    public void reject(EventMessage event, Message message, Channel channel, boolean misrouted) {
        schedule(new Pending(event, message, channel, misrouted), Duration.ZERO);
    }

    /** Stops answering: messages not settled yet stay unacknowledged, the broker returns them. */
    @Override
    public void close() {
        closed = true;
        sender.shutdownNow();
    }

    private void schedule(Pending pending, Duration delay) {
        try {
            sender.schedule(pending, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.info("shutting down: delivery {} stays unacknowledged, the broker delivers it again", pending.tag);
        }
    }

    /** One rejection until its message is settled. Runs on the sender thread only. */
    private final class Pending implements Runnable {
        private EventMessage event;
        private final Message message;
        private final Channel channel;
        private final long tag;
        private final boolean misrouted;
        private boolean published;
        private boolean replied;
        private Duration backoff = FIRST_RETRY;

        Pending(EventMessage event, Message message, Channel channel, boolean misrouted) {
            this.event = event;
            this.message = message;
            this.channel = channel;
            this.tag = message.getMessageProperties().getDeliveryTag();
            this.misrouted = misrouted;
        }

        @Override
        public void run() {
            if (closed) {
                return;
            }
            if (!channel.isOpen()) {
                log.info("channel of delivery {} closed before its rejection was confirmed; the broker delivers it "
                        + "again", tag);
                return;
            }
            try {
                if (!published) {
                    published = events.publish(event);
                }
                if (!replied) {
                    replied = events.reply(message.getMessageProperties().getReplyTo(),
                            message.getMessageProperties().getCorrelationId(), event);
                }
            } catch (IllegalArgumentException unencodable) {
                log.warn("command.rejected for delivery {} cannot be encoded ({}); sending it without the message's "
                        + "text", tag, unencodable.getMessage());
                event = withoutMessageText(event);
                schedule(this, Duration.ZERO);
                return;
            }
            if (published && replied && deadLetter()) {
                return;
            }
            log.warn("command.rejected for delivery {} not confirmed by the broker; trying again in {} ms (the "
                    + "message stays unacknowledged)", tag, backoff.toMillis());
            schedule(this, backoff);
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : doubled;
        }

        /** @return whether the message is settled */
        private boolean deadLetter() {
            if (misrouted) {
                return events.deadLetter(message) && settle("ack", () -> channel.basicAck(tag, false));
            }
            return settle("reject", () -> channel.basicReject(tag, false));
        }

        private boolean settle(String what, IoAction action) {
            try {
                action.run();
            } catch (IOException | RuntimeException e) {
                log.warn("{} of delivery {} failed ({}); the broker delivers it again", what, tag, e.toString());
            }
            return true;
        }
    }

    private EventMessage withoutMessageText(EventMessage event) {
        Map<String, Object> payload = new LinkedHashMap<>();
        String reason = "the message was refused (" + event.error().code() + "), but its reason quotes text that "
                + "cannot be encoded as JSON";
        payload.put("reason", reason);
        return events.event(event.event(), event.requestId(), event.instanceUuid(), payload,
                new ErrorBody(event.error().code(), reason, event.error().retriable()));
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}

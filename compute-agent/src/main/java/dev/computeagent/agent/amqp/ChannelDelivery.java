package dev.computeagent.agent.amqp;

import com.rabbitmq.client.Channel;
import dev.computeagent.agent.execution.Delivery;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link Delivery} on the consumer channel it arrived on; settles at most once. */
final class ChannelDelivery implements Delivery {

    private static final Logger log = LoggerFactory.getLogger(ChannelDelivery.class);

    private final Channel channel;
    private final long tag;
    private final String replyTo;
    private final String correlationId;
    private final boolean redelivered;
    private final AtomicBoolean settled = new AtomicBoolean();

    ChannelDelivery(Channel channel, long tag, String replyTo, String correlationId, boolean redelivered) {
        this.channel = channel;
        this.tag = tag;
        this.replyTo = replyTo;
        this.correlationId = correlationId;
        this.redelivered = redelivered;
    }

    @Override
    public boolean redelivered() {
        return redelivered;
    }

    @Override
    public String replyTo() {
        return replyTo;
    }

    @Override
    public String correlationId() {
        return correlationId;
    }

    @Override
    public void ack() {
        settle("ack", () -> channel.basicAck(tag, false));
    }

    @Override
    public void requeue() {
        settle("requeue", () -> channel.basicNack(tag, false, true));
    }

    @Override
    public void abandon() {
        settled.set(true);
    }

    private void settle(String what, IoAction action) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        if (!channel.isOpen()) {
            log.info("channel closed before {} of delivery {}; the broker redelivers it", what, tag);
            return;
        }
        try {
            action.run();
        } catch (IOException | RuntimeException e) {
            log.warn("{} of delivery {} failed ({}); the broker redelivers it", what, tag, e.toString());
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}

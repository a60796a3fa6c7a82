package dev.computeagent.agent.execution;

import org.jspecify.annotations.Nullable;

/** A first delivery without {@code reply_to} that remembers how it was settled. */
final class RecordedDelivery implements Delivery {

    private volatile String settled = "open";

    @Override
    public @Nullable String replyTo() {
        return null;
    }

    @Override
    public @Nullable String correlationId() {
        return null;
    }

    @Override
    public boolean redelivered() {
        return false;
    }

    @Override
    public void ack() {
        settled = "acked";
    }

    @Override
    public void requeue() {
        settled = "requeued";
    }

    @Override
    public void abandon() {
        settled = "abandoned";
    }

    String settled() {
        return settled;
    }
}

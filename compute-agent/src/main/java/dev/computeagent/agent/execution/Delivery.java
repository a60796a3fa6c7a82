package dev.computeagent.agent.execution;

import org.jspecify.annotations.Nullable;

/**
 * One received command message and what can be done with it once: acknowledged (its outcome is
 * confirmed by the broker), released for redelivery, or abandoned (left unacknowledged so the broker
 * returns it when the channel closes). Every method is best-effort and never throws: a lost channel
 * means the broker redelivers, which the request journal answers.
 */
public interface Delivery {

    /** AMQP {@code reply_to}, or null. */
    @Nullable String replyTo();

    /** AMQP {@code correlation_id}, or null. */
    @Nullable String correlationId();

    /**
     * The broker's {@code redelivered} flag: this message was delivered before (to this agent or an
     * earlier one) and not acknowledged, so its outcome may already be out. A controller's re-send is a
     * new message: not redelivered.
     */
    boolean redelivered();

    void ack();

    /** Returns the message to the queue now (counts as a delivery attempt). */
    void requeue();

    /** Leaves the message unacknowledged; the broker returns it when the channel closes. */
    void abandon();
}

package dev.computeagent.agent.amqp;

import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.EventMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.core.JacksonException;

/**
 * The {@link EventSink} over the broker: publishes events to {@code compute.events} (routing key = event
 * name) and replies to {@code reply_to} through the default exchange, persistent JSON, and waits for the
 * broker's publisher confirm. {@code publish}/{@code reply} return whether the broker confirmed; they
 * never throw for broker trouble (a down broker is a false, the caller decides). An event that cannot be
 * encoded as JSON (text no encoder accepts, such as a lone UTF-16 surrogate) is an
 * {@link IllegalArgumentException}: no retry would send it.
 */
public final class EventPublisher implements EventSink {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final RabbitTemplate template;
    private final String host;
    private final Clock clock;
    private final Duration confirmTimeout;

    public EventPublisher(RabbitTemplate template, String host, Clock clock, Duration confirmTimeout) {
        this.template = template;
        this.host = host;
        this.clock = clock;
        this.confirmTimeout = confirmTimeout;
    }

    @Override
    public EventMessage event(String name, @Nullable String requestId, @Nullable String instanceUuid,
                              Map<String, Object> payload, @Nullable ErrorBody error) {
        return new EventMessage(EventMessage.VERSION, name, host, clock.instant().truncatedTo(ChronoUnit.MILLIS),
                requestId, instanceUuid, payload, error);
    }

    /** Publishes on {@code compute.events}, without the payload's reply-only part (see {@link EventMessage#REPLY_ONLY}). */
    @Override
    public boolean publish(EventMessage event) {
        return send(Topology.EVENTS_EXCHANGE, event.event(), event.withoutReplyOnly(), null);
    }

    /** {@link #publish} with the confirm awaited by the caller (off this thread). */
    @Override
    public CompletableFuture<Boolean> publishing(EventMessage event) {
        EventMessage published = event.withoutReplyOnly();
        return confirmation(sendUnconfirmed(Topology.EVENTS_EXCHANGE, published.event(), message(published, null),
                event), event, Topology.EVENTS_EXCHANGE, published.event());
    }

    @Override
    public boolean reply(@Nullable String replyTo, @Nullable String correlationId, EventMessage event) {
        if (replyTo == null || replyTo.isEmpty()) {
            return true;
        }
        return send("", replyTo, event, correlationId);
    }

    /**
     * Puts a received message, body and properties unchanged, into this host's dead-letter queue
     * (exchange {@code compute.dlx}, key {@code compute.<host>}).
     */
    public boolean deadLetter(Message original) {
        CorrelationData confirm = new CorrelationData(UUID.randomUUID().toString());
        try {
            template.send(Topology.DEAD_LETTER_EXCHANGE, Topology.routingKey(host), original, confirm);
            return confirm.getFuture().get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS).ack();
        } catch (AmqpException | TimeoutException | ExecutionException e) {
            log.warn("dead-lettering a misrouted message not confirmed: {}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Sends both before waiting for either confirm: one confirm round trip instead of two in a row. */
    @Override
    public Announced announce(EventMessage event, boolean publish, @Nullable String replyTo,
                              @Nullable String correlationId, boolean reply, boolean replyFirst) {
        boolean replying = reply && replyTo != null && !replyTo.isEmpty();
        // both encoded first: an event that cannot be encoded goes out neither way
        Message published = publish ? message(event.withoutReplyOnly(), null) : null;
        Message replied = replying ? message(event, correlationId) : null;
        CorrelationData replyConfirm = replied == null || !replyFirst ? null
                : sendUnconfirmed("", replyTo, replied, event);
        CorrelationData publishConfirm = published == null ? null
                : sendUnconfirmed(Topology.EVENTS_EXCHANGE, event.event(), published, event);
        if (replied != null && !replyFirst) {
            replyConfirm = sendUnconfirmed("", replyTo, replied, event);
        }
        boolean publishOk = published == null
                || confirmed(publishConfirm, event, Topology.EVENTS_EXCHANGE, event.event());
        boolean replyOk = replied == null || confirmed(replyConfirm, event, "", replyTo);
        return new Announced(publishOk, replyOk);
    }

    private boolean send(String exchange, String routingKey, EventMessage event, @Nullable String correlationId) {
        Message message = message(event, correlationId);
        return confirmed(sendUnconfirmed(exchange, routingKey, message, event), event, exchange, routingKey);
    }

    /** The persistent JSON message of {@code event}. @throws IllegalArgumentException it cannot be encoded */
    private static Message message(EventMessage event, @Nullable String correlationId) {
        byte[] body;
        try {
            body = AgentJson.mapper().writeValueAsBytes(event);
        } catch (JacksonException e) {
            // not the broker's trouble, and no retry will change it: the caller must answer otherwise
            throw new IllegalArgumentException("event " + event.event() + " cannot be encoded as JSON: "
                    + e.getOriginalMessage(), e);
        }
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setContentEncoding(StandardCharsets.UTF_8.name());
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setTimestamp(Date.from(event.timestamp()));
        props.setMessageId(UUID.randomUUID().toString());
        if (correlationId != null) {
            props.setCorrelationId(correlationId);
        }
        return new Message(body, props);
    }

    /** Hands {@code message} to the broker; null when that already failed (logged). */
    private @Nullable CorrelationData sendUnconfirmed(String exchange, String routingKey, Message message,
                                                      EventMessage event) {
        CorrelationData confirm = new CorrelationData(message.getMessageProperties().getMessageId());
        try {
            template.send(exchange, routingKey, message, confirm);
            return confirm;
        } catch (AmqpException e) {
            log.warn("{} to {}:{} not confirmed: {}", event.event(), exchange, routingKey, e.toString());
            return null;
        }
    }

    /** Waits for the broker's confirm of a message {@link #sendUnconfirmed} handed over (at most the timeout). */
    private boolean confirmed(@Nullable CorrelationData confirm, EventMessage event, String exchange,
                              String routingKey) {
        return confirmation(confirm, event, exchange, routingKey).join();
    }

    /** The broker's confirm of a message {@link #sendUnconfirmed} handed over: false if refused, lost or late. */
    private CompletableFuture<Boolean> confirmation(@Nullable CorrelationData confirm, EventMessage event,
                                                    String exchange, String routingKey) {
        if (confirm == null) {
            return CompletableFuture.completedFuture(false);
        }
        return confirm.getFuture().copy().orTimeout(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((result, failure) -> {
                    if (failure != null) {
                        log.warn("{} to {}:{} not confirmed: {}", event.event(), exchange, routingKey,
                                failure.toString());
                        return false;
                    }
                    if (!result.ack()) {
                        log.warn("broker refused {} to {}:{} ({})", event.event(), exchange, routingKey,
                                result.reason());
                    }
                    return result.ack();
                });
    }
}

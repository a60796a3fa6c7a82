package dev.computeagent.agent.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandEnvelope;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InternalArgs;
import dev.computeagent.agent.migration.DestinationClient;
import dev.computeagent.agent.migration.DestinationUnreachableException;
import dev.computeagent.agent.migration.ExpectedNotice;
import dev.computeagent.agent.migration.MigrationReply;
import dev.computeagent.agent.security.InternalSignature;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.RabbitUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link DestinationClient} over the broker: publishes the command, signed by this agent
 * ({@link InternalSignature}), to the agents' exchange {@code compute.internal} with key
 * {@code compute.<destination>}, {@code reply_to} RabbitMQ's direct reply-to ({@code amq.rabbitmq.reply-to},
 * private to the calling channel) and a fresh {@code correlation_id}, and waits for the matching reply.
 * The command carries a per-message TTL equal to the timeout so an agent that comes back later never acts on
 * a migration its source gave up.
 *
 * <p>One long-lived channel per agent carries every call: it consumes the direct replies once, for all calls,
 * and hands each reply to the call waiting for its correlation id, so a call costs the broker one publish
 * and nothing else (no consumer set up and cancelled per call). Fails fast, without waiting for the timeout:
 * a destination without command queue (the mandatory publish comes back: unknown host); a queue nobody
 * consumes, checked with a passive declare unless that destination answered within {@link #LIVENESS} (an
 * answer proves a consumer more recently than a declare would); and every call in flight when the channel
 * closes (its replies can no longer arrive: not retriable as unknown host, retriable by the caller). The
 * channel is opened again by the next call. {@link #close} closes it. A notice ({@link #expectNotice}) arrives the
 * same way, at the address a call's destination saw, matched by the correlation id the call's arguments gave.
 */
public final class AmqpDestinationClient implements DestinationClient, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AmqpDestinationClient.class);

    /** RabbitMQ's direct reply-to pseudo-queue. */
    public static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";

    /** How long a destination's answer stands in for the check that somebody consumes its queue. */
    public static final Duration LIVENESS = Duration.ofSeconds(10);

    private final ConnectionFactory connectionFactory;
    private final InternalSignature signature;
    private final String host;
    private final JsonMapper mapper = AgentJson.mapper();
    /** Calls waiting for their reply, by correlation id. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** {@link System#nanoTime()} of each destination's last answer. */
    private final Map<String, Long> answeredAt = new ConcurrentHashMap<>();
    /** Held to open the channel and publish on it. */
    private final Object channelLock = new Object();
    private volatile @Nullable Channel channel;

    /** A call waiting for its reply on the channel it published on. */
    private record Pending(Channel channel, CompletableFuture<byte[]> answer) {
    }

    /** @param host this agent's {@code agent.host}, the signed sender */
    public AmqpDestinationClient(ConnectionFactory connectionFactory, InternalSignature signature, String host) {
        this.connectionFactory = connectionFactory;
        this.signature = signature;
        this.host = host;
    }

    @Override
    public Optional<String> unavailable() {
        return signature.canSign() ? Optional.empty() : Optional.of("this agent has no key for agent-to-agent "
                + "commands: configure agent.internal-auth.keys-dir or agent.internal-auth.key (the same key on "
                + "every agent of the cloud)");
    }

    @Override
    public MigrationReply call(String destination, CommandName command, String requestId, UUID instanceUuid,
                               InternalArgs args, Duration timeout) {
        try {
            if (!answeredRecently(destination)) {
                requireConsumed(destination, Topology.commandQueue(destination));
            }
            return exchange(destination, command, requestId, instanceUuid, args, timeout);
        } catch (AmqpException | IOException | ShutdownSignalException e) {
            // ShutdownSignalException: the shared channel closed between its check and the publish
            throw new DestinationUnreachableException("cannot reach the broker to talk to " + destination + ": "
                    + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DestinationUnreachableException("interrupted while waiting for " + destination, false);
        }
    }

    /**
     * The notice waits on the shared channel, whose direct reply-to address the next call's destination learns;
     * a channel that closes meanwhile ends the wait (nothing can arrive any more), as a broker that cannot be
     * reached does at once.
     */
    @Override
    public ExpectedNotice expectNotice() {
        String id = UUID.randomUUID().toString();
        CompletableFuture<byte[]> notice = new CompletableFuture<>();
        try {
            synchronized (channelLock) {
                pending.put(id, new Pending(channel(), notice));
            }
        } catch (AmqpException | IOException | ShutdownSignalException e) {
            log.debug("no arrival notice can be received: {}", e.toString());
            return ExpectedNotice.NONE;
        }
        // an unreadable notice fails the future: as none
        return new ExpectedNotice(id, notice.thenApply(body -> parse(body, "the sender of notice " + id)),
                () -> pending.remove(id));
    }

    private boolean answeredRecently(String destination) {
        Long at = answeredAt.get(destination);
        return at != null && System.nanoTime() - at < LIVENESS.toNanos();
    }

    /** On a throw-away channel: a failed passive declare closes the channel it ran on. */
    private void requireConsumed(String destination, String queue) throws IOException {
        try (Connection connection = connectionFactory.createConnection()) {
            Channel probe = connection.createChannel(false);
            try {
                AMQP.Queue.DeclareOk ok = probe.queueDeclarePassive(queue);
                if (ok.getConsumerCount() == 0) {
                    throw new DestinationUnreachableException("no agent consumes " + queue + " (is " + destination
                            + " running?)", false);
                }
            } catch (IOException e) {
                throw new DestinationUnreachableException("unknown destination " + destination + ": no queue "
                        + queue, true);
            } finally {
                closeQuietly(probe);
            }
        }
    }

    private MigrationReply exchange(String destination, CommandName command, String requestId, UUID instanceUuid,
                                    InternalArgs args, Duration timeout) throws IOException, InterruptedException {
        String correlationId = UUID.randomUUID().toString();
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        byte[] reply;
        try {
            CommandEnvelope envelope = CommandEnvelope.of(command, requestId, instanceUuid, args);
            byte[] body = mapper.writeValueAsBytes(envelope);
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .contentType("application/json").contentEncoding("UTF-8").deliveryMode(2)
                    .replyTo(DIRECT_REPLY_TO).correlationId(correlationId)
                    .expiration(Long.toString(timeout.toMillis()))
                    .headers(signature.sign(host, destination, DIRECT_REPLY_TO, correlationId, body))
                    .build();
            synchronized (channelLock) {
                Channel open = channel();
                pending.put(correlationId, new Pending(open, answer));
                // mandatory: a destination without queue comes back as a return (see channel()), failing the call
                open.basicPublish(Topology.INTERNAL_EXCHANGE, Topology.routingKey(destination), true, props, body);
            }
            reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new DestinationUnreachableException("no answer from " + destination + " to " + command.wireName()
                    + " within " + timeout.toSeconds() + " s", false);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DestinationUnreachableException unreachable) {
                throw new DestinationUnreachableException(unreachable.getMessage(), unreachable.unknownHost());
            }
            throw new DestinationUnreachableException("no answer from " + destination + ": " + e.getCause(), false);
        } finally {
            pending.remove(correlationId);
        }
        answeredAt.put(destination, System.nanoTime());
        return parse(reply, destination);
    }

    /** The shared channel, opened (consuming direct replies) when there is none or it closed. */
    private Channel channel() throws IOException {
        Channel current = channel;
        if (current != null && current.isOpen()) {
            return current;
        }
        Channel opened = connectionFactory.createConnection().createChannel(false);
        try {
            opened.addReturnListener(returned -> fail(returned.getProperties().getCorrelationId(),
                    new DestinationUnreachableException("unknown destination: no queue for "
                            + returned.getRoutingKey() + " (" + returned.getReplyText() + ")", true)));
            opened.addShutdownListener(cause -> failAll(opened, "the channel to the broker closed: "
                    + cause.getMessage()));
            // direct reply-to: no-ack, as it requires; one consumer for every call on this channel
            opened.basicConsume(DIRECT_REPLY_TO, true, new DefaultConsumer(opened) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    Pending waiting = properties.getCorrelationId() == null ? null
                            : pending.get(properties.getCorrelationId());
                    if (waiting != null) {
                        waiting.answer().complete(body);
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            closePhysically(opened);
            throw e;
        }
        channel = opened;
        return opened;
    }

    private void fail(@Nullable String correlationId, DestinationUnreachableException cause) {
        Pending waiting = correlationId == null ? null : pending.get(correlationId);
        if (waiting != null) {
            waiting.answer().completeExceptionally(cause);
        }
    }

    /** The replies of calls made on a closed channel can no longer arrive. */
    private void failAll(Channel closed, String reason) {
        // not under channelLock: this runs on the connection's thread, which a publish may be waiting for
        pending.values().stream().filter(p -> p.channel() == closed)
                .forEach(p -> p.answer().completeExceptionally(new DestinationUnreachableException(reason, false)));
    }

    private MigrationReply parse(byte[] body, String destination) {
        try {
            JsonNode root = mapper.readTree(body);
            JsonNode error = root.get("error");
            if (error != null && error.isObject()) {
                ErrorCode code;
                try {
                    code = ErrorCode.valueOf(error.path("code").asString());
                } catch (IllegalArgumentException e) {
                    code = ErrorCode.MIGRATION_FAILED;
                }
                return new MigrationReply(Map.of(), new ErrorBody(code, error.path("message").asString(""),
                        error.path("retriable").asBoolean(false)));
            }
            JsonNode payload = root.get("payload");
            @SuppressWarnings("unchecked")
            Map<String, Object> map = payload == null || !payload.isObject() ? Map.of()
                    : mapper.convertValue(payload, Map.class);
            return MigrationReply.ok(map);
        } catch (JacksonException e) {
            throw new DestinationUnreachableException("unreadable reply from " + destination + ": " + e.getMessage(),
                    false);
        }
    }

    /** Closes the shared channel; calls still waiting fail. */
    @Override
    public void close() {
        Channel current;
        synchronized (channelLock) {
            current = channel;
            channel = null;
        }
        if (current != null) {
            closePhysically(current);
        }
    }

    /** Never back to the connection factory's cache with our consumer and listeners on it. */
    private static void closePhysically(Channel channel) {
        RabbitUtils.setPhysicalCloseRequired(channel, true);
        closeQuietly(channel);
    }

    private static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException ignored) {
            // closing a broken channel: nothing left to release
        }
    }
}

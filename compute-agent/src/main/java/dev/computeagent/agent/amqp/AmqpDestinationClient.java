package dev.computeagent.agent.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandEnvelope;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InternalArgs;
import dev.computeagent.agent.migration.DestinationClient;
import dev.computeagent.agent.migration.DestinationUnreachableException;
import dev.computeagent.agent.migration.MigrationReply;
import dev.computeagent.agent.security.InternalSignature;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * Fails fast, before publishing, when the destination has no command queue or nobody consumes it; the
 * command carries a per-message TTL equal to the timeout so an agent that comes back later never acts on
 * a migration its source gave up.
 */
public final class AmqpDestinationClient implements DestinationClient {

    /** RabbitMQ's direct reply-to pseudo-queue. */
    public static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";

    private final ConnectionFactory connectionFactory;
    private final InternalSignature signature;
    private final String host;
    private final JsonMapper mapper = AgentJson.mapper();

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
        String queue = Topology.commandQueue(destination);
        try (Connection connection = connectionFactory.createConnection()) {
            Channel channel = connection.createChannel(false);
            try {
                requireConsumed(channel, destination, queue);
                return exchange(channel, destination, command, requestId, instanceUuid, args, timeout);
            } finally {
                closeQuietly(channel);
            }
        } catch (AmqpException | IOException e) {
            throw new DestinationUnreachableException("cannot reach the broker to talk to " + destination + ": "
                    + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DestinationUnreachableException("interrupted while waiting for " + destination, false);
        }
    }

    /** A failed passive declare closes the channel: the call fails then anyway. */
    private static void requireConsumed(Channel channel, String destination, String queue) {
        try {
            AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
            if (ok.getConsumerCount() == 0) {
                throw new DestinationUnreachableException("no agent consumes " + queue + " (is " + destination
                        + " running?)", false);
            }
        } catch (IOException e) {
            throw new DestinationUnreachableException("unknown destination " + destination + ": no queue " + queue,
                    true);
        }
    }

    private MigrationReply exchange(Channel channel, String destination, CommandName command, String requestId,
                                    UUID instanceUuid, InternalArgs args, Duration timeout)
            throws IOException, InterruptedException {
        String correlationId = UUID.randomUUID().toString();
        BlockingQueue<byte[]> replies = new ArrayBlockingQueue<>(1);
        // direct reply-to: no reply queue to declare and delete on every call (no-ack, as it requires)
        String tag = channel.basicConsume(DIRECT_REPLY_TO, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                       byte[] body) {
                if (correlationId.equals(properties.getCorrelationId())) {
                    replies.offer(body);
                }
            }
        });
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
            // mandatory as documented; the passive check above already caught a missing queue
            channel.basicPublish(Topology.INTERNAL_EXCHANGE, Topology.routingKey(destination), true, props, body);
            reply = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            cancel(channel, tag);
        }
        if (reply == null) {
            throw new DestinationUnreachableException("no answer from " + destination + " to " + command.wireName()
                    + " within " + timeout.toSeconds() + " s", false);
        }
        return parse(reply, destination);
    }

    /** A cached channel must not go back to the pool still consuming direct replies. */
    private static void cancel(Channel channel, String tag) {
        try {
            channel.basicCancel(tag);
        } catch (IOException | RuntimeException e) {
            RabbitUtils.setPhysicalCloseRequired(channel, true);
        }
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

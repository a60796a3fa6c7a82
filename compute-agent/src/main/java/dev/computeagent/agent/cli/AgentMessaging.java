package dev.computeagent.agent.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.computeagent.agent.amqp.Topology;
import dev.computeagent.agent.message.AgentJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The tool's one broker connection: publishes a command to {@code compute.<host>} (persistent,
 * mandatory, confirmed) with a private reply queue and waits for the agent's reply, or tails
 * {@code compute.events}. Failures to reach the broker, an unroutable command (no agent queue for
 * that host) and a missing reply are {@link CtlFailure}s whose messages carry no password.
 */
final class AgentMessaging implements AutoCloseable {

    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);

    private final Connection connection;
    private final BrokerTarget target;

    private AgentMessaging(Connection connection, BrokerTarget target) {
        this.connection = connection;
        this.target = target;
    }

    static AgentMessaging connect(BrokerTarget target) {
        try {
            return new AgentMessaging(target.connectionFactory().newConnection(target.addresses(), "compute-agent-ctl"),
                    target);
        } catch (IOException | TimeoutException e) {
            throw new CtlFailure("cannot connect to the broker " + target + ": " + describe(e), e);
        }
    }

    /**
     * Publishes {@code body} for the agent of {@code host} and returns its reply (the body of the
     * command's final event, or of {@code command.rejected}).
     *
     * @throws CtlFailure no queue is bound for the host, the broker did not confirm, or no reply
     *                    came within {@code timeout} (the command may still run)
     */
    JsonNode request(String host, byte[] body, Duration timeout) {
        try (Channel channel = connection.createChannel()) {
            String replyQueue = channel.queueDeclare().getQueue();
            String correlationId = UUID.randomUUID().toString();
            BlockingQueue<byte[]> replies = new ArrayBlockingQueue<>(1);
            channel.basicConsume(replyQueue, true, (tag, delivery) -> {
                if (correlationId.equals(delivery.getProperties().getCorrelationId())) {
                    replies.offer(delivery.getBody());
                }
            }, tag -> { });
            AtomicBoolean returned = new AtomicBoolean();
            channel.addReturnListener(r -> returned.set(true));
            channel.confirmSelect();
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType("application/json").contentEncoding("utf-8").deliveryMode(2)
                    .replyTo(replyQueue).correlationId(correlationId).build();
            channel.basicPublish(Topology.COMMANDS_EXCHANGE, Topology.routingKey(host), true, properties, body);
            channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT.toMillis());
            if (returned.get()) {
                throw new CtlFailure("no agent queue is bound for host " + host + " (" + Topology.commandQueue(host)
                        + " on " + target + "): is agent.host right, and has that agent ever started?");
            }
            byte[] reply = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (reply == null) {
                throw new CtlFailure("no outcome from " + host + " within " + timeout.toSeconds()
                        + " s; the command stays queued or running (see `events --host " + host + "`)");
            }
            return parse(reply);
        } catch (IOException | TimeoutException e) {
            throw new CtlFailure("broker " + target + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlFailure("interrupted while waiting for " + host);
        }
    }

    /**
     * Prints every event that passes {@code filter} to {@code sink} as it arrives, until {@code count}
     * of them (0 = no limit) or until {@code duration} has passed (null = until interrupted).
     * {@code subscribed} runs once events are being received.
     */
    void tailEvents(Predicate<JsonNode> filter, Consumer<JsonNode> sink, int count, @Nullable Duration duration,
                    Runnable subscribed) {
        try (Channel channel = connection.createChannel()) {
            channel.exchangeDeclarePassive(Topology.EVENTS_EXCHANGE);
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, Topology.EVENTS_EXCHANGE, "#");
            BlockingQueue<byte[]> events = new LinkedBlockingQueue<>();
            channel.basicConsume(queue, true, (tag, delivery) -> events.add(delivery.getBody()), tag -> { });
            subscribed.run();
            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            int printed = 0;
            while (count == 0 || printed < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                byte[] body = events.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                if (body == null) {
                    continue;
                }
                JsonNode event = parse(body);
                if (filter.test(event)) {
                    sink.accept(event);
                    printed++;
                }
            }
        } catch (IOException | TimeoutException e) {
            throw new CtlFailure("broker " + target + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return AgentJson.mapper().readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new CtlFailure("a message that is not JSON arrived: " + e.getOriginalMessage());
        }
    }

    private static String describe(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && (cause.getMessage() == null || cause instanceof IOException
                && cause.getMessage().isEmpty())) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @Override
    public void close() {
        try {
            if (connection.isOpen()) {
                connection.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }
}

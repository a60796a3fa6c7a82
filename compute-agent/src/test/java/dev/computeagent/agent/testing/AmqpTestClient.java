package dev.computeagent.agent.testing;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.GetResponse;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.security.InternalSignature;
import dev.computeagent.virt.testing.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * The controller's side of the AMQP contract for tests, on a plain RabbitMQ client connection:
 * publishes commands, records every event of one host (in arrival order) and replies.
 */
public final class AmqpTestClient implements AutoCloseable {

    public static final String BROKER_HOST = System.getenv().getOrDefault("RABBITMQ_HOST", "127.0.0.1");
    public static final int BROKER_PORT = Integer.parseInt(System.getenv().getOrDefault("RABBITMQ_PORT", "5672"));

    /** A received message: routing key, correlation id, body. */
    public record Received(String routingKey, String correlationId, byte[] body, JsonNode json) {
    }

    private final String host;
    private final Connection connection;
    private final Channel channel;
    private final String replyQueue;
    private final List<Received> events = new CopyOnWriteArrayList<>();
    private final List<Received> replies = new CopyOnWriteArrayList<>();

    private AmqpTestClient(String host, String brokerHost, int brokerPort, String user, String password)
            throws Exception {
        this.host = host;
        ConnectionFactory cf = new ConnectionFactory();
        cf.setHost(brokerHost);
        cf.setPort(brokerPort);
        cf.setUsername(user);
        cf.setPassword(password);
        connection = cf.newConnection("test-client-" + host);
        channel = connection.createChannel();
        channel.exchangeDeclare("compute.events", "topic", true);
        String eventQueue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(eventQueue, "compute.events", "#");
        channel.basicConsume(eventQueue, true, collect(events, true), tag -> { });
        replyQueue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.basicConsume(replyQueue, true, collect(replies, false), tag -> { });
    }

    /** Connects, or skips/fails (CI=true) the test when no broker answers. */
    public static AmqpTestClient connect(String host) throws Exception {
        Prerequisites.requireTcp("RabbitMQ", BROKER_HOST, BROKER_PORT,
                "apt-get install rabbitmq-server (or set RABBITMQ_HOST/RABBITMQ_PORT)");
        return new AmqpTestClient(host, BROKER_HOST, BROKER_PORT, "guest", "guest");
    }

    /** Connects to a broker the test owns (e.g. one node of a {@link RabbitMqCluster}). */
    public static AmqpTestClient connect(String host, String brokerHost, int brokerPort, String user, String password)
            throws Exception {
        return new AmqpTestClient(host, brokerHost, brokerPort, user, password);
    }

    private DeliverCallback collect(List<Received> into, boolean onlyThisHost) {
        return (tag, delivery) -> {
            JsonNode json = AgentJson.mapper().readTree(new String(delivery.getBody(), StandardCharsets.UTF_8));
            if (onlyThisHost && !host.equals(json.path("host").asString(""))) {
                return;
            }
            into.add(new Received(delivery.getEnvelope().getRoutingKey(), delivery.getProperties().getCorrelationId(),
                    delivery.getBody(), json));
        };
    }

    public String replyQueue() {
        return replyQueue;
    }

    public Channel channel() {
        return channel;
    }

    public void publish(String routingKey, byte[] body, String correlationId) throws IOException {
        publish("compute", routingKey, body, correlationId, null);
    }

    /**
     * Publishes {@code body} to {@code exchange}; with a {@code correlationId} the reply comes to this
     * client's reply queue; {@code headers} may be null.
     */
    public synchronized void publish(String exchange, String routingKey, byte[] body, String correlationId,
                                     Map<String, Object> headers) throws IOException {
        AMQP.BasicProperties.Builder props = new AMQP.BasicProperties.Builder().contentType("application/json")
                .deliveryMode(2).headers(headers);
        if (correlationId != null) {
            props.replyTo(replyQueue).correlationId(correlationId);
        }
        channel.basicPublish(exchange, routingKey, props.build(), body);
    }

    /**
     * Publishes an internal command as a peer agent {@code sender} holding {@code signature}'s key would:
     * to {@code compute.internal}, signed for this client's host, the reply to this client's reply queue.
     */
    public void internalCommand(String json, String correlationId, String sender,
                                InternalSignature signature) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        publish("compute.internal", "compute." + host, body, correlationId,
                signature.sign(sender, host, replyQueue, correlationId, body));
    }

    /** Publishes a command for this client's host, with reply_to = the client's reply queue. */
    public void command(String json, String correlationId) throws IOException {
        publish("compute." + host, json.getBytes(StandardCharsets.UTF_8), correlationId);
    }

    public List<Received> events() {
        return List.copyOf(events);
    }

    public List<Received> events(Predicate<JsonNode> filter) {
        List<Received> result = new ArrayList<>();
        for (Received r : events) {
            if (filter.test(r.json())) {
                result.add(r);
            }
        }
        return result;
    }

    /** Event names of one request, in arrival order. */
    public List<String> eventNames(String requestId) {
        return events(j -> requestId.equals(j.path("request_id").asString(null))).stream()
                .map(r -> r.json().path("event").asString()).toList();
    }

    /** Waits for the reply carrying {@code correlationId}. */
    public Received awaitReply(String correlationId, Duration timeout) {
        return await().atMost(timeout).until(() -> replies.stream()
                .filter(r -> correlationId.equals(r.correlationId())).findFirst().orElse(null), r -> r != null);
    }

    /** The reply carrying {@code correlationId}, if one arrived (no waiting). */
    public Optional<Received> reply(String correlationId) {
        return replies.stream().filter(r -> correlationId.equals(r.correlationId())).findFirst();
    }

    public long repliesWith(String correlationId) {
        return replies.stream().filter(r -> correlationId.equals(r.correlationId())).count();
    }

    /** Drains the host's dead-letter queue. */
    public List<byte[]> drainDeadLetters() throws IOException {
        List<byte[]> bodies = new ArrayList<>();
        GetResponse r;
        while ((r = channel.basicGet("compute." + host + ".dead", true)) != null) {
            bodies.add(r.getBody());
        }
        return bodies;
    }

    /** Consumers on the host's command queue; 0 while it does not exist yet. */
    public long consumers() {
        // a passive check of a missing queue closes its channel: use a throw-away one
        try (Channel c = connection.createChannel()) {
            return c.consumerCount("compute." + host);
        } catch (Exception missing) {
            return 0;
        }
    }

    /** Deletes the host's queues (test hygiene). */
    public void deleteQueues() {
        for (String q : List.of("compute." + host, "compute." + host + ".dead")) {
            try (Channel c = connection.createChannel()) {
                c.queueDelete(q);
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (connection.isOpen()) {
            connection.close();
        }
    }

    public static String envelope(String command, String requestId, String uuid, String args) {
        return "{\"version\":1,\"request_id\":\"" + requestId + "\",\"command\":\"" + command
                + "\",\"instance_uuid\":\"" + uuid + "\",\"args\":" + args + "}";
    }
}

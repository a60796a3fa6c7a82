package dev.computeagent.agent.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The controller's side for the benchmark: publishes commands to {@code compute} with key
 * {@code compute.<host>} and completes a future when the final event of a request id
 * ({@code instance.*.end} / {@code .error}) arrives on {@code compute.events}, stamped with the
 * arrival time. Counts {@code command.rejected} events of this host.
 */
final class BenchAmqp implements AutoCloseable {

    /** A final event and the {@link System#nanoTime()} it arrived at. */
    record Final(JsonNode event, long arrivedNanos) {
        boolean ok() {
            return event.path("event").asString().endsWith(".end");
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final String host;
    private final Connection connection;
    private final Channel publish;
    private final Channel flood;
    private final Map<String, CompletableFuture<Final>> finals = new ConcurrentHashMap<>();
    private final Map<String, Long> starts = new ConcurrentHashMap<>();
    private final AtomicLong rejected = new AtomicLong();
    private volatile long lastRejectedNanos;
    private final AtomicLong received = new AtomicLong();

    BenchAmqp(String brokerHost, int brokerPort, String host) throws Exception {
        this.host = host;
        ConnectionFactory cf = new ConnectionFactory();
        cf.setHost(brokerHost);
        cf.setPort(brokerPort);
        cf.setUsername("guest");
        cf.setPassword("guest");
        connection = cf.newConnection("agent-bench-" + host);
        publish = connection.createChannel();
        flood = connection.createChannel();
        flood.confirmSelect();
        Channel events = connection.createChannel();
        events.exchangeDeclare("compute.events", "topic", true);
        String q = events.queueDeclare("", false, true, true, null).getQueue();
        events.queueBind(q, "compute.events", "instance.*.start");
        events.queueBind(q, "compute.events", "instance.*.end");
        events.queueBind(q, "compute.events", "instance.*.error");
        events.queueBind(q, "compute.events", "command.rejected");
        events.basicConsume(q, true, (tag, d) -> {
            long now = System.nanoTime();
            JsonNode e = JSON.readTree(new String(d.getBody(), StandardCharsets.UTF_8));
            if (!host.equals(e.path("host").asString(""))) {
                return;
            }
            received.incrementAndGet();
            if (d.getEnvelope().getRoutingKey().equals("command.rejected")) {
                rejected.incrementAndGet();
                lastRejectedNanos = now;
                return;
            }
            if (d.getEnvelope().getRoutingKey().endsWith(".start")) {
                starts.put(e.path("request_id").asString(), now);
                return;
            }
            finals.computeIfAbsent(e.path("request_id").asString(), k -> new CompletableFuture<>())
                    .complete(new Final(e, now));
        }, tag -> { });
    }

    /** Publishes one command; returns the nanoTime just before the publish. */
    long command(String command, String requestId, String uuid, String argsJson) throws IOException {
        finals.computeIfAbsent(requestId, k -> new CompletableFuture<>());
        String body = "{\"version\":1,\"request_id\":\"" + requestId + "\",\"command\":\"" + command
                + "\",\"instance_uuid\":\"" + uuid + "\",\"args\":" + argsJson + "}";
        long t = System.nanoTime();
        synchronized (publish) {
            publish.basicPublish("compute", "compute." + host, props(),
                    body.getBytes(StandardCharsets.UTF_8));
        }
        return t;
    }

    Final await(String requestId, Duration timeout) throws Exception {
        return finals.computeIfAbsent(requestId, k -> new CompletableFuture<>())
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Publishes {@code command} (a fresh request id) and waits for its final event: nanoseconds from publish
     * to arrival. An error event ends the benchmark (IllegalStateException).
     */
    long call(String command, String uuid, String argsJson, Duration timeout) throws Exception {
        String id = command + "-" + UUID.randomUUID();
        long t = command(command, id, uuid, argsJson);
        Final f = await(id, timeout);
        if (!f.ok()) {
            throw new IllegalStateException(command + " failed: " + f.event());
        }
        return f.arrivedNanos() - t;
    }

    /** When the {@code instance.X.start} event of a request arrived (nanoTime), if it did. */
    Long startArrived(String requestId) {
        return starts.get(requestId);
    }

    /** Publishes raw bodies as fast as the channel takes them, then waits for the broker's confirms. */
    void flood(byte[][] bodies, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            flood.basicPublish("compute", "compute." + host, props(), bodies[i % bodies.length]);
        }
        flood.waitForConfirmsOrDie(120_000);
    }

    /**
     * Publishes raw bodies with their own properties (message id = correlation id) as fast as the channel
     * takes them, then waits for the broker's confirms.
     */
    void publishRaw(List<byte[]> bodies) throws Exception {
        for (byte[] body : bodies) {
            flood.basicPublish("compute", "compute." + host, props(), body);
        }
        flood.waitForConfirmsOrDie(120_000);
    }

    /** Events of this host received so far (start, final and rejected). */
    long events() {
        return received.get();
    }

    /** Messages waiting in the agent's command queue (not yet delivered to it). */
    long queued() throws IOException {
        return publish.queueDeclarePassive("compute." + host).getMessageCount();
    }

    long rejected() {
        return rejected.get();
    }

    long lastRejectedNanos() {
        return lastRejectedNanos;
    }

    long deadLetters() throws IOException {
        return publish.queueDeclarePassive("compute." + host + ".dead").getMessageCount();
    }

    /** Removes the agent's two queues (after the agent stopped). */
    void deleteQueues() throws IOException {
        publish.queueDelete("compute." + host);
        publish.queueDelete("compute." + host + ".dead");
    }

    private static AMQP.BasicProperties props() {
        return new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).build();
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}

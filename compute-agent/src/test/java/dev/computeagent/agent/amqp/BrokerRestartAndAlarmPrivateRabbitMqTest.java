package dev.computeagent.agent.amqp;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.PrivateRabbitMq;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The agent's core on a RabbitMQ node of the test's own, which the test restarts and puts under a
 * memory alarm (the broker then blocks every publishing connection), with the in-memory driver.
 * <ul>
 *   <li>Commands in flight across a broker restart: their messages come back redelivered while the
 *       work goes on, the outcome goes out on the new connection, the acknowledgement is lost with the
 *       old channel. Every request still gets exactly one {@code .start} and one {@code .end}; a
 *       re-send by the controller is still answered on {@code reply_to}.</li>
 *   <li>A broker that does not confirm the {@code command.rejected} of an invalid message does not
 *       stall intake: the next command reaches its lane at once; the invalid message is dead-lettered
 *       only once its event is confirmed, after the alarm.</li>
 * </ul>
 * Events are collected in a durable queue of the test, so none is lost with the broker restart.
 */
class BrokerRestartAndAlarmPrivateRabbitMqTest {

    private static final String HOST = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String EVENTS = "test-events-" + HOST;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static PrivateRabbitMq broker;
    private static ConfigurableApplicationContext agent;
    private static Path stateDir;

    @BeforeAll
    static void start() throws Exception {
        broker = PrivateRabbitMq.start();
        stateDir = Files.createTempDirectory("agent-private-broker");
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            ch.exchangeDeclare("compute.events", "topic", true);
            ch.queueDeclare(EVENTS, true, false, false, null);
            ch.queueBind(EVENTS, "compute.events", "#");
        }
        agent = new SpringApplicationBuilder(CoreWithFakeDriverTestApplication.class).web(WebApplicationType.NONE)
                .properties("agent.host=" + HOST, "agent.state-dir=" + stateDir,
                        "spring.rabbitmq.host=" + broker.host(), "spring.rabbitmq.port=" + broker.port(),
                        "agent.heartbeat-interval=1h")
                .run();
        awaitConsumer();
    }

    @AfterAll
    static void stop() {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static Connection connect() throws Exception {
        ConnectionFactory cf = new ConnectionFactory();
        cf.setHost(broker.host());
        cf.setPort(broker.port());
        return cf.newConnection("test-" + HOST);
    }

    private static void awaitConsumer() {
        await().atMost(WAIT).until(() -> {
            try (Connection c = connect(); Channel ch = c.createChannel()) {
                return ch.consumerCount("compute." + HOST) == 1;
            } catch (Exception notYet) {
                return false;
            }
        });
    }

    private static void publish(Channel channel, String exchange, String routingKey, byte[] body, String replyTo)
            throws Exception {
        AMQP.BasicProperties.Builder props = new AMQP.BasicProperties.Builder().contentType("application/json")
                .deliveryMode(2);
        if (replyTo != null) {
            props.replyTo(replyTo).correlationId("c-" + UUID.randomUUID());
        }
        channel.confirmSelect();
        channel.basicPublish(exchange, routingKey, props.build(), body);
        channel.waitForConfirmsOrDie(WAIT.toMillis());
    }

    /** Takes every event collected so far out of the test's queue. */
    private static List<JsonNode> drainEvents() throws Exception {
        List<JsonNode> events = new ArrayList<>();
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            GetResponse r;
            while ((r = ch.basicGet(EVENTS, true)) != null) {
                events.add(AgentJson.mapper().readTree(new String(r.getBody(), StandardCharsets.UTF_8)));
            }
        }
        return events;
    }

    private static long count(List<JsonNode> events, String requestId, String event) {
        return events.stream().filter(e -> requestId.equals(e.path("request_id").asString(null))
                && event.equals(e.path("event").asString())).count();
    }

    private static long messages(String queue) throws Exception {
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    private static String spawn(String requestId, String uuid, String image) {
        return envelope("spawn", requestId, uuid, "{\"name\":\"vm\",\"flavor\":{\"vcpus\":1,\"memory_mb\":128,"
                + "\"root_gb\":0},\"image_id\":\"" + image + "\"}");
    }

    @Test
    void commandsInFlightAcrossABrokerRestartEndExactlyOnceAndAReSendIsStillAnswered() throws Exception {
        FakeImageCache images = agent.getBean(FakeImageCache.class);
        FakeComputeDriver driver = agent.getBean(FakeComputeDriver.class);
        InstanceLanes lanes = agent.getBean(InstanceLanes.class);
        CountDownLatch brokerBack = new CountDownLatch(1);
        AtomicInteger inFlight = new AtomicInteger();
        images.onFetch("held", () -> {
            inFlight.incrementAndGet();
            try {
                brokerBack.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        int spawnsBefore = driver.callCount(FakeOperation.SPAWN);
        List<String> requests = new ArrayList<>();
        List<String> uuids = new ArrayList<>();
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            for (int i = 0; i < 5; i++) {
                String uuid = UUID.randomUUID().toString();
                uuids.add(uuid);
                requests.add("restart-" + i + "-" + uuid);
                publish(ch, "compute", "compute." + HOST, spawn(requests.get(i), uuid, "held")
                        .getBytes(StandardCharsets.UTF_8), null);
            }
        }
        await().atMost(WAIT).until(() -> inFlight.get() == 5);

        broker.restart();
        awaitConsumer();
        // every message came back (redelivered) and waits on its lane behind the work still in flight
        await().atMost(WAIT).until(() -> lanes.pending() == 10);
        brokerBack.countDown();
        await().atMost(WAIT).until(() -> lanes.pending() == 0 && messages("compute." + HOST) == 0);

        List<JsonNode> events = drainEvents();
        for (String request : requests) {
            assertThat(count(events, request, "instance.spawn.start")).as(request + " .start").isEqualTo(1);
            assertThat(count(events, request, "instance.spawn.end")).as(request + " .end").isEqualTo(1);
            assertThat(count(events, request, "instance.spawn.error")).as(request + " .error").isZero();
        }
        assertThat(driver.callCount(FakeOperation.SPAWN)).isEqualTo(spawnsBefore + 5);

        // the controller asks again (a new message with the same request id): it is answered on reply_to
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            String replies = ch.queueDeclare().getQueue();
            publish(ch, "compute", "compute." + HOST, spawn(requests.get(0), uuids.get(0), "held")
                    .getBytes(StandardCharsets.UTF_8), replies);
            GetResponse reply = await().atMost(WAIT).until(() -> ch.basicGet(replies, true), r -> r != null);
            JsonNode answer = AgentJson.mapper().readTree(new String(reply.getBody(), StandardCharsets.UTF_8));
            assertThat(answer.path("event").asString()).isEqualTo("instance.spawn.end");
            assertThat(answer.path("request_id").asString()).isEqualTo(requests.get(0));
        }
        assertThat(driver.callCount(FakeOperation.SPAWN)).isEqualTo(spawnsBefore + 5);
        assertThat(messages("compute." + HOST + ".dead")).isZero();
    }

    @Test
    void anUnconfirmedRejectionNeverStallsIntakeAndTheMessageIsDeadLetteredOnlyOnceItsEventIsConfirmed()
            throws Exception {
        InstanceLanes lanes = agent.getBean(InstanceLanes.class);
        drainEvents();
        String hold = "test-hold-" + HOST;
        String uuid = UUID.randomUUID().toString();
        byte[] invalid = "this is { not json".getBytes(StandardCharsets.UTF_8);
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            // messages wait here; rejected, the broker itself dead-letters them into the agent's queue,
            // which it does while publishers are blocked
            ch.queueDeclare(hold, true, false, false, Map.of("x-dead-letter-exchange", "compute",
                    "x-dead-letter-routing-key", "compute." + HOST));
            publish(ch, "", hold, invalid, null);
            publish(ch, "", hold, spawn("after-bad-" + uuid, uuid, "tiny").getBytes(StandardCharsets.UTF_8), null);
        }
        broker.memoryAlarm(true);
        try {
            // a connection that never publishes is not blocked
            try (Connection c = connect(); Channel ch = c.createChannel()) {
                for (int i = 0; i < 2; i++) {
                    ch.basicReject(ch.basicGet(hold, false).getEnvelope().getDeliveryTag(), false);
                }
            }
            // the consumer moved on: the valid command reached its lane (where its .start waits for the broker)
            await().atMost(Duration.ofSeconds(5)).until(() -> lanes.busy(UUID.fromString(uuid)));
            assertThat(messages("compute." + HOST + ".dead")).as("dead-lettered before its event was confirmed")
                    .isZero();
        } finally {
            broker.memoryAlarm(false);
        }

        List<JsonNode> events = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            events.addAll(drainEvents());
            return count(events, "after-bad-" + uuid, "instance.spawn.end") == 1 && events.stream()
                    .anyMatch(e -> e.path("event").asString().equals("command.rejected"));
        });
        await().atMost(WAIT).until(() -> messages("compute." + HOST + ".dead") == 1);
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            assertThat(ch.basicGet("compute." + HOST + ".dead", true).getBody()).isEqualTo(invalid);
            ch.queueDelete(hold);
        }
        JsonNode rejected = events.stream().filter(e -> e.path("event").asString().equals("command.rejected"))
                .findFirst().orElseThrow();
        assertThat(rejected.path("payload").path("reason").asString()).contains("not JSON");
        assertThat(rejected.path("error").path("code").asString()).isEqualTo("INVALID_COMMAND");
    }
}

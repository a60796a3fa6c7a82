package dev.computeagent.agent.amqp;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.computeagent.agent.command.CommandValidator;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every request ends with exactly one final event, or one {@code command.rejected}, through a real
 * RabbitMQ, whatever breaks: a command whose journal record cannot be read, a command breaking off
 * after its {@code .start} on an {@link Error}, a listener failing on a message. None is returned to the queue to fail
 * the same way again until the delivery limit dead-letters it unanswered.
 */
@SpringBootTest(classes = CoreWithFakeDriverTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext // the agent must not outlive its test queues
class CommandsThatBreakOffRabbitMqTest {

    static final String HOST = "it-" + UUID.randomUUID().toString().substring(0, 8);
    static final Duration WAIT = Duration.ofSeconds(30);
    static Path stateDir;
    static AmqpTestClient client;

    @Autowired
    FakeComputeDriver driver;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("agent.host", () -> HOST);
        registry.add("agent.state-dir", () -> stateDir.toString());
        registry.add("spring.rabbitmq.host", () -> AmqpTestClient.BROKER_HOST);
        registry.add("spring.rabbitmq.port", () -> AmqpTestClient.BROKER_PORT);
    }

    @BeforeAll
    static void connect() throws Exception {
        client = AmqpTestClient.connect(HOST);
        stateDir = Files.createTempDirectory("agent-break-off");
    }

    @BeforeEach
    void awaitConsumer() {
        await().atMost(WAIT).until(() -> client.consumers() == 1);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (client != null) {
            client.deleteQueues();
            client.close();
        }
    }

    private static String spawnArgs(String name) {
        return "{\"name\":\"" + name + "\",\"flavor\":{\"vcpus\":1,\"memory_mb\":128,\"root_gb\":0},"
                + "\"image_id\":\"tiny\"}";
    }

    @Test
    void aCommandWhoseJournalRecordCannotBeReadIsAnsweredInternalErrorOnceNotRequeuedToTheLimit() throws Exception {
        String uuid = UUID.randomUUID().toString();
        String request = "unreadable-" + uuid;
        // a record that exists but cannot be read: every delivery of this request fails the same way
        Files.createDirectories(stateDir.resolve("journal").resolve("r-" + request + ".json"));
        int spawnsBefore = driver.callCount(FakeOperation.SPAWN);

        client.command(envelope("spawn", request, uuid, spawnArgs("vm")), "c-" + request);

        AmqpTestClient.Received reply = client.awaitReply("c-" + request, WAIT);
        assertThat(reply.json().path("event").asString()).isEqualTo("instance.spawn.error");
        assertThat(reply.json().path("error").path("code").asString()).isEqualTo("INTERNAL_ERROR");
        assertThat(reply.json().path("error").path("retriable").asBoolean()).isFalse();
        await().atMost(WAIT).until(() -> client.eventNames(request).size() == 2);
        assertThat(client.eventNames(request)).containsExactly("instance.spawn.start", "instance.spawn.error");
        assertThat(driver.callCount(FakeOperation.SPAWN)).as("the command never ran").isEqualTo(spawnsBefore);
        assertThat(client.repliesWith("c-" + request)).isEqualTo(1);
        assertThat(client.drainDeadLetters()).isEmpty();
    }

    @Test
    void aCommandBreakingOffAfterItsStartEndsInOneInternalErrorNotInStartsUntilTheDeliveryLimit() throws Exception {
        String uuid = UUID.randomUUID().toString();
        client.command(envelope("spawn", "spawned-" + uuid, uuid, spawnArgs("vm")), "c-spawned-" + uuid);
        assertThat(client.awaitReply("c-spawned-" + uuid, WAIT).json().path("event").asString())
                .isEqualTo("instance.spawn.end");
        String request = "breaks-" + uuid;
        // start fails as the driver may say; then recording that error with the instance hits an Error
        // no handler expects: the task breaks off after .start went out
        driver.failAlways(FakeOperation.START, () -> new HypervisorException("start refused"));
        driver.crashAlways(FakeOperation.INFO, () -> new OutOfMemoryError("simulated"));
        try {
            client.command(envelope("start", request, uuid, "{}"), "c-" + request);

            AmqpTestClient.Received reply = client.awaitReply("c-" + request, WAIT);
            assertThat(reply.json().path("event").asString()).isEqualTo("instance.start.error");
            assertThat(reply.json().path("error").path("code").asString()).isEqualTo("INTERNAL_ERROR");
            assertThat(reply.json().path("error").path("message").asString()).contains("OutOfMemoryError");
            await().atMost(WAIT).until(() -> client.eventNames(request).size() == 2);
            assertThat(client.eventNames(request)).containsExactly("instance.start.start", "instance.start.error");
            assertThat(client.drainDeadLetters()).isEmpty();
        } finally {
            driver.clearFailures();
        }
    }

    @Test
    void aListenerFailingOnAMessageAnswersItAndDeadLettersItIntact() throws Exception {
        String in = "test-in-" + HOST;
        String dead = "test-dead-" + HOST;
        Channel channel = client.channel();
        channel.queueDeclare(dead, false, false, true, null);
        channel.queueDeclare(in, false, false, true, Map.of("x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", dead));
        byte[] body = envelope("start", "r-" + HOST, UUID.randomUUID().toString(), "{}")
                .getBytes(StandardCharsets.UTF_8);
        channel.basicPublish("", in, null, body);
        GetResponse delivery = await().atMost(WAIT).until(() -> channel.basicGet(in, false), r -> r != null);
        MessageProperties props = new MessageProperties();
        props.setDeliveryTag(delivery.getEnvelope().getDeliveryTag());
        props.setReceivedRoutingKey("compute." + HOST);

        CachingConnectionFactory connections = new CachingConnectionFactory(AmqpTestClient.BROKER_HOST,
                AmqpTestClient.BROKER_PORT);
        connections.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        EventPublisher events = new EventPublisher(new RabbitTemplate(connections), HOST, Clock.systemUTC(),
                Duration.ofSeconds(10));
        try (RejectionSender rejections = new RejectionSender(events)) {
            // a validator whose JSON reading breaks in a way nobody planned for
            JsonMapper broken = JsonMapper.builder().nodeFactory(new JsonNodeFactory() {
                @Override
                public ObjectNode objectNode() {
                    throw new IllegalStateException("simulated bug");
                }
            }).build();
            CommandListener listener = new CommandListener(new CommandValidator(HOST, broken), null, null,
                    events, rejections, new SimpleMeterRegistry());

            listener.onMessage(new Message(delivery.getBody(), props), channel);

            await().atMost(WAIT).until(() -> !client.events(j -> j.path("event").asString()
                    .equals("command.rejected")).isEmpty());
            GetResponse deadLettered = await().atMost(WAIT).until(() -> channel.basicGet(dead, true), r -> r != null);
            assertThat(deadLettered.getBody()).isEqualTo(body);
        } finally {
            connections.destroy();
        }
        AmqpTestClient.Received rejected = client.events(j -> j.path("event").asString().equals("command.rejected"))
                .get(0);
        assertThat(rejected.json().path("error").path("code").asString()).isEqualTo("INTERNAL_ERROR");
        assertThat(rejected.json().path("payload").path("reason").asString()).contains("IllegalStateException");
    }
}

package dev.computeagent.agent.amqp;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.virt.fake.FakeComputeDriver;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Shutdown lets the command in flight finish, acknowledges it, and takes no new ones; metrics are recorded. */
class GracefulShutdownRabbitMqTest {

    final String host = "it-" + UUID.randomUUID().toString().substring(0, 8);
    AmqpTestClient client;
    Path stateDir;

    @BeforeEach
    void setUp() throws Exception {
        client = AmqpTestClient.connect(host);
        stateDir = Files.createTempDirectory("agent-shutdown");
    }

    @AfterEach
    void tearDown() throws Exception {
        client.deleteQueues();
        client.close();
    }

    @Test
    void aCommandInFlightFinishesAndIsAcknowledgedBeforeTheAgentStops() throws Exception {
        ConfigurableApplicationContext agent = new SpringApplicationBuilder(CoreWithFakeDriverTestApplication.class)
                .web(WebApplicationType.NONE)
                .run("--agent.host=" + host, "--agent.state-dir=" + stateDir,
                        "--spring.rabbitmq.host=" + AmqpTestClient.BROKER_HOST,
                        "--spring.rabbitmq.port=" + AmqpTestClient.BROKER_PORT, "--agent.shutdown-timeout=20s");
        await().atMost(Duration.ofSeconds(20)).until(() -> client.consumers() == 1);
        FakeComputeDriver driver = agent.getBean(FakeComputeDriver.class);
        MeterRegistry meters = agent.getBean(MeterRegistry.class);

        String uuid = UUID.randomUUID().toString();
        client.command(envelope("spawn", "quick-" + uuid, uuid, "{\"name\":\"q\",\"flavor\":{\"vcpus\":1,"
                + "\"memory_mb\":128,\"root_gb\":0},\"image_id\":\"tiny\"}"), "quick");
        client.awaitReply("quick", Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.find("agent.commands").tag("command", "spawn")
                .tag("outcome", "success").timer() != null);

        driver.setOperationDelay(Duration.ofSeconds(2));
        client.command(envelope("stop", "slow-" + uuid, uuid, "{\"timeout_s\":0}"), "slow");
        await().atMost(Duration.ofSeconds(10)).until(() -> client.eventNames("slow-" + uuid)
                .contains("instance.stop.start"));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(agent::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.consumers() == 0 || closing.isDone());
        client.command(envelope("start", "late-" + uuid, uuid, "{}"), "late");
        closing.get();

        assertThat(client.eventNames("slow-" + uuid)).containsExactly("instance.stop.start", "instance.stop.end");
        assertThat(client.awaitReply("slow", Duration.ofSeconds(5)).json().path("payload").path("state").asString())
                .isEqualTo("STOPPED");
        assertThat(client.eventNames("late-" + uuid)).as("taken after shutdown began").isEmpty();
        // the finished command was acknowledged; only the late one waits for the next agent
        try (var channel = client.channel().getConnection().createChannel()) {
            assertThat(channel.queueDeclarePassive("compute." + host).getMessageCount()).isEqualTo(1);
        }
    }
}

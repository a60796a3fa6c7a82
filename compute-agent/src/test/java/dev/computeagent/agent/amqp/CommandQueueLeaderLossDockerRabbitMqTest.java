package dev.computeagent.agent.amqp;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.agent.testing.RabbitMqCluster;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * The failure nova-compute operators fear most (oslo.messaging after a broker node restart), on a
 * real three-node RabbitMQ cluster started by Testcontainers from the local Debian image: the agent
 * (its core, on the in-memory driver, which counts every execution) connects with
 * {@code spring.rabbitmq.addresses} naming all three nodes, and the node holding the leader of its
 * quorum command queue is killed during a burst of 100 spawns. Every command is answered, none is
 * executed twice, nothing is dead-lettered, and the agent reconnects by itself. Then the whole
 * cluster goes silent (the two survivors paused): readiness turns DOWN, and UP again when they
 * come back, with the agent taking commands again.
 */
class CommandQueueLeaderLossDockerRabbitMqTest {

    private static final int BURST = 100;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String host = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private RabbitMqCluster cluster;
    private ConfigurableApplicationContext agent;
    private AmqpTestClient client;

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void killingTheCommandQueueLeaderDuringABurstLosesNoCommandAndRunsNoneTwice() throws Exception {
        String password = "pw-" + UUID.randomUUID();
        cluster = RabbitMqCluster.start(3, "agent", password);
        Path stateDir = Files.createTempDirectory("agent-cluster");
        agent = new SpringApplicationBuilder(CoreWithFakeDriverTestApplication.class).web(WebApplicationType.SERVLET)
                .run("--agent.host=" + host, "--agent.state-dir=" + stateDir, "--server.port=0",
                        "--spring.rabbitmq.addresses=" + cluster.addresses(), "--spring.rabbitmq.username=agent",
                        "--spring.rabbitmq.password=" + password,
                        // a silent (not closed) broker connection is noticed within seconds
                        "--spring.rabbitmq.requested-heartbeat=2s",
                        "--agent.max-concurrent-operations=2", "--agent.shutdown-timeout=20s");
        FakeComputeDriver driver = agent.getBean(FakeComputeDriver.class);
        driver.setOperationDelay(Duration.ofMillis(400));
        int port = Integer.parseInt(agent.getEnvironment().getProperty("local.server.port"));

        RabbitMQContainer leader = await().atMost(WAIT).ignoreExceptions()
                .until(() -> cluster.leaderOf("compute." + host), node -> node != null);
        List<RabbitMQContainer> survivors = cluster.nodes().stream().filter(n -> n != leader).toList();
        client = AmqpTestClient.connect(host, "127.0.0.1", survivors.get(0).getAmqpPort(), "agent", password);
        await().atMost(WAIT).until(() -> client.consumers() == 1);

        List<String> uuids = new ArrayList<>();
        try (Channel publisher = client.channel().getConnection().createChannel()) {
            publisher.confirmSelect();
            for (int i = 0; i < BURST; i++) {
                String uuid = UUID.randomUUID().toString();
                uuids.add(uuid);
                publisher.basicPublish("compute", "compute." + host, new AMQP.BasicProperties.Builder()
                        .contentType("application/json").deliveryMode(2).replyTo(client.replyQueue())
                        .correlationId("c-" + uuid).build(), envelope("spawn", "burst-" + uuid, uuid,
                        "{\"name\":\"burst\",\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\"}")
                        .getBytes(StandardCharsets.UTF_8));
            }
            publisher.waitForConfirmsOrDie(WAIT.toMillis());
        }
        // a fifth of the burst is done, the rest is queued or running: the leader's node dies
        await().atMost(WAIT).until(() -> answered(uuids) >= BURST / 5);
        cluster.kill(leader);

        await().atMost(WAIT).until(() -> answered(uuids) == BURST);
        for (String uuid : uuids) {
            AmqpTestClient.Received reply = client.awaitReply("c-" + uuid, Duration.ofSeconds(1));
            assertThat(reply.json().path("error").isNull()).as(reply.json().toString()).isTrue();
            assertThat(reply.json().path("payload").path("state").asString()).isEqualTo("ACTIVE");
            assertThat(driver.bootCount(UUID.fromString(uuid))).as("boots of %s", uuid).isEqualTo(1);
        }
        assertThat(driver.callCount(FakeOperation.SPAWN)).as("spawns executed").isEqualTo(BURST);
        assertThat(cluster.leaderOf("compute." + host)).isIn(survivors);
        await().atMost(WAIT).until(() -> cluster.consumersOf("compute." + host) == 1);
        assertThat(client.drainDeadLetters()).isEmpty();
        try (Channel channel = client.channel().getConnection().createChannel()) {
            AMQP.Queue.DeclareOk queue = channel.queueDeclarePassive("compute." + host);
            assertThat(queue.getMessageCount()).as("messages left in the command queue").isZero();
        }
        assertThat(readiness(port)).isEqualTo(200);

        // the whole cluster goes silent, then comes back: readiness follows, the agent reconnects
        survivors.forEach(cluster::pause);
        await().atMost(WAIT).until(() -> readiness(port) == 503);
        survivors.forEach(cluster::unpause);
        await().atMost(WAIT).until(() -> readiness(port) == 200);
        await().atMost(WAIT).until(() -> cluster.consumersOf("compute." + host) == 1);
        String after = uuids.get(0);
        client.command(envelope("delete", "after-" + after, after, "{}"), "c-after");
        assertThat(client.awaitReply("c-after", WAIT).json().path("payload").path("state").asString())
                .isEqualTo("DELETED");
    }

    private long answered(List<String> uuids) {
        return uuids.stream().filter(u -> client.repliesWith("c-" + u) > 0).count();
    }

    private static int readiness(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

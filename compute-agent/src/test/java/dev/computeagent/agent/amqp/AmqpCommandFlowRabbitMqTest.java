package dev.computeagent.agent.amqp;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The command protocol end to end through a real RabbitMQ, with the in-memory driver: DLQ and
 * {@code command.rejected} for bad input, replies with correlation ids, event order, redelivery
 * answered from the journal, recovery from lost broker connections.
 */
@SpringBootTest(classes = CoreWithFakeDriverTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext // the agent must not outlive its test queues
class AmqpCommandFlowRabbitMqTest {

    static final String HOST = "it-" + UUID.randomUUID().toString().substring(0, 8);
    static Path stateDir;
    static AmqpTestClient client;
    static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    FakeComputeDriver driver;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("agent.host", () -> HOST);
        registry.add("agent.state-dir", () -> stateDir.toString());
        registry.add("spring.rabbitmq.host", () -> AmqpTestClient.BROKER_HOST);
        registry.add("spring.rabbitmq.port", () -> AmqpTestClient.BROKER_PORT);
        registry.add("agent.heartbeat-interval", () -> "1s");
    }

    @BeforeAll
    static void connect() throws Exception {
        client = AmqpTestClient.connect(HOST);
        stateDir = Files.createTempDirectory("agent-core-it");
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
                + "\"image_id\":\"tiny\",\"metadata\":{\"a\":\"<b>&amp;</b>\"}}";
    }

    @Test
    void invalidMessagesAreAnnouncedAndDeadLetteredByteForByteWhileValidOnesStillFlow() throws Exception {
        String uuid = UUID.randomUUID().toString();
        List<byte[]> invalid = List.of(
                new byte[] {(byte) 0xc3, (byte) 0x28, 0x00, (byte) 0xff},
                "this is { not json".getBytes(StandardCharsets.UTF_8),
                envelope("spawn", "bad-1", uuid, "{\"name\":\"\"}").getBytes(StandardCharsets.UTF_8),
                envelope("hibernate", "bad-2", uuid, "{}").getBytes(StandardCharsets.UTF_8),
                envelope("start", "bad-3", uuid, "{}").replace("\"version\":1", "\"version\":2")
                        .getBytes(StandardCharsets.UTF_8),
                envelope("start", "bad-4", uuid.toUpperCase(), "{}").getBytes(StandardCharsets.UTF_8));
        for (byte[] body : invalid) {
            // bad-1 asks for a reply: the reply carries the same body as the command.rejected event
            boolean wantsReply = new String(body, StandardCharsets.ISO_8859_1).contains("\"bad-1\"");
            client.publish("compute." + HOST, body, wantsReply ? "corr-bad-1" : null);
        }
        // a message routed with another host's key (an operator's extra binding brought it here)
        client.channel().queueBind("compute." + HOST, "compute", "compute." + HOST + "-other");
        byte[] wrongHost = envelope("start", "bad-5", uuid, "{}").getBytes(StandardCharsets.UTF_8);
        client.publish("compute." + HOST + "-other", wrongHost, null);
        client.command(envelope("spawn", "good-1", uuid, spawnArgs("after-garbage")), "corr-good-1");

        assertThat(client.awaitReply("corr-good-1", WAIT).json().path("event").asString())
                .isEqualTo("instance.spawn.end");
        await().atMost(WAIT).until(() -> client.events(j -> j.path("event").asString().equals("command.rejected"))
                .size() >= 7);
        List<String> reasons = client.events(j -> j.path("event").asString().equals("command.rejected")).stream()
                .map(r -> r.json().path("payload").path("reason").asString()).toList();
        assertThat(reasons).anyMatch(r -> r.contains("UTF-8")).anyMatch(r -> r.contains("not JSON"))
                .anyMatch(r -> r.contains("args.name")).anyMatch(r -> r.contains("unknown command"))
                .anyMatch(r -> r.contains("unsupported version")).anyMatch(r -> r.contains("instance_uuid"))
                .anyMatch(r -> r.contains("wrong host"));
        assertThat(client.events(j -> "bad-2".equals(j.path("request_id").asString(null))).get(0).json()
                .path("payload").path("raw_body").asString()).contains("hibernate");
        assertThat(client.events(j -> j.path("event").asString().equals("command.rejected"))).allSatisfy(r -> {
            assertThat(r.json().path("error").path("code").asString()).isEqualTo("INVALID_COMMAND");
            assertThat(r.json().path("error").path("message").asString())
                    .isEqualTo(r.json().path("payload").path("reason").asString());
            assertThat(r.json().path("error").path("retriable").isBoolean()).isTrue();
            assertThat(r.json().path("error").path("retriable").asBoolean()).isFalse();
        });
        AmqpTestClient.Received rejectedReply = client.awaitReply("corr-bad-1", WAIT);
        assertThat(rejectedReply.json().path("event").asString()).isEqualTo("command.rejected");
        assertThat(rejectedReply.json().path("error").path("code").asString()).isEqualTo("INVALID_COMMAND");
        assertThat(rejectedReply.json().path("error").path("message").asString()).contains("args.name");

        List<byte[]> dead = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            dead.addAll(client.drainDeadLetters());
            return dead.size() >= 7;
        });
        List<byte[]> expected = new ArrayList<>(invalid);
        expected.add(wrongHost);
        assertThat(dead).hasSize(7);
        for (byte[] body : expected) {
            assertThat(dead).anySatisfy(d -> assertThat(d).isEqualTo(body));
        }
    }

    @Test
    void aCommandIsAnsweredWithStartThenEndAndAReplyCarryingTheCorrelationId() throws Exception {
        String uuid = UUID.randomUUID().toString();
        client.command(envelope("spawn", "spawn-" + uuid, uuid, spawnArgs("vm-<&>")), "c-" + uuid);
        AmqpTestClient.Received reply = client.awaitReply("c-" + uuid, WAIT);
        assertThat(reply.json().path("event").asString()).isEqualTo("instance.spawn.end");
        assertThat(reply.json().path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(reply.json().path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        assertThat(reply.json().path("payload").path("name").asString()).isEqualTo("vm-<&>");
        assertThat(reply.json().path("host").asString()).isEqualTo(HOST);
        await().atMost(WAIT).until(() -> client.eventNames("spawn-" + uuid).size() == 2);
        assertThat(client.eventNames("spawn-" + uuid)).containsExactly("instance.spawn.start", "instance.spawn.end");

        client.command(envelope("stop", "stop-" + uuid, uuid, "{\"timeout_s\":0}"), "s-" + uuid);
        assertThat(client.awaitReply("s-" + uuid, WAIT).json().path("payload").path("state").asString())
                .isEqualTo("STOPPED");
        client.command(envelope("delete", "del-" + uuid, uuid, "{}"), "d-" + uuid);
        assertThat(client.awaitReply("d-" + uuid, WAIT).json().path("payload").path("state").asString())
                .isEqualTo("DELETED");
        assertThat(stateDir.resolve("instances").resolve(uuid)).doesNotExist();
    }

    @Test
    void aRepeatedRequestIsAnsweredFromTheJournalWithoutRunningAgain() throws Exception {
        String uuid = UUID.randomUUID().toString();
        String command = envelope("spawn", "once-" + uuid, uuid, spawnArgs("once"));
        int spawnsBefore = driver.callCount(FakeOperation.SPAWN);
        client.command(command, "first-" + uuid);
        AmqpTestClient.Received first = client.awaitReply("first-" + uuid, WAIT);
        client.command(command, "second-" + uuid);
        AmqpTestClient.Received second = client.awaitReply("second-" + uuid, WAIT);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(driver.callCount(FakeOperation.SPAWN)).isEqualTo(spawnsBefore + 1);
        // answered again with the recorded final event; never started twice
        await().atMost(WAIT).until(() -> client.eventNames("once-" + uuid).size() == 3);
        assertThat(client.eventNames("once-" + uuid))
                .containsExactly("instance.spawn.start", "instance.spawn.end", "instance.spawn.end");
    }

    @Test
    void aRequestIdReusedForAnotherInstanceOrCommandIsRefusedAndTheJournalStillAnswersTheFirst() throws Exception {
        String uuid = UUID.randomUUID().toString();
        String other = UUID.randomUUID().toString();
        String id = "reused-" + uuid;
        client.command(envelope("spawn", id, uuid, spawnArgs("first")), "r1-" + uuid);
        assertThat(client.awaitReply("r1-" + uuid, WAIT).json().path("event").asString()).isEqualTo("instance.spawn.end");
        int spawnsBefore = driver.callCount(FakeOperation.SPAWN);

        client.command(envelope("spawn", id, other, spawnArgs("other")), "r2-" + uuid);
        AmqpTestClient.Received otherInstance = client.awaitReply("r2-" + uuid, WAIT);
        assertThat(otherInstance.json().path("event").asString()).isEqualTo("instance.spawn.error");
        assertThat(otherInstance.json().path("instance_uuid").asString()).isEqualTo(other);
        assertThat(otherInstance.json().path("error").path("code").asString()).isEqualTo("INVALID_COMMAND");
        assertThat(otherInstance.json().path("error").path("retriable").asBoolean()).isFalse();
        assertThat(driver.callCount(FakeOperation.SPAWN)).isEqualTo(spawnsBefore);

        client.command(envelope("delete", id, uuid, "{}"), "r3-" + uuid);
        AmqpTestClient.Received otherCommand = client.awaitReply("r3-" + uuid, WAIT);
        assertThat(otherCommand.json().path("event").asString()).isEqualTo("instance.delete.error");
        assertThat(otherCommand.json().path("error").path("code").asString()).isEqualTo("INVALID_COMMAND");
        assertThat(stateDir.resolve("instances").resolve(uuid)).exists();

        client.command(envelope("spawn", id, uuid, spawnArgs("first")), "r4-" + uuid);
        assertThat(client.awaitReply("r4-" + uuid, WAIT).json().path("event").asString()).isEqualTo("instance.spawn.end");
        assertThat(client.drainDeadLetters()).isEmpty();
    }

    @Test
    void failuresAreReportedAsTypedErrorEvents() throws Exception {
        String uuid = UUID.randomUUID().toString();
        client.command(envelope("start", "start-missing-" + uuid, uuid, "{}"), "m-" + uuid);
        AmqpTestClient.Received reply = client.awaitReply("m-" + uuid, WAIT);
        assertThat(reply.json().path("event").asString()).isEqualTo("instance.start.error");
        assertThat(reply.json().path("error").path("code").asString()).isEqualTo("INSTANCE_NOT_FOUND");
        assertThat(reply.json().path("error").path("retriable").asBoolean()).isFalse();

        client.command(envelope("migrate", "mig-" + uuid, uuid, "{\"destination\":\"elsewhere\"}"), "g-" + uuid);
        assertThat(client.awaitReply("g-" + uuid, WAIT).json().path("error").path("code").asString())
                .isEqualTo("MIGRATION_FAILED");
        client.command(envelope("delete", "del-missing-" + uuid, uuid, "{}"), "x-" + uuid);
        assertThat(client.awaitReply("x-" + uuid, WAIT).json().path("event").asString())
                .isEqualTo("instance.delete.end");
    }

    @Test
    void outOfBandPowerChangesAndHeartbeatsArePublished() throws Exception {
        String uuid = UUID.randomUUID().toString();
        client.command(envelope("spawn", "oob-" + uuid, uuid, spawnArgs("oob")), "o-" + uuid);
        client.awaitReply("o-" + uuid, WAIT);
        driver.guestShutdown(UUID.fromString(uuid));
        await().atMost(WAIT).until(() -> !client.events(j -> j.path("event").asString()
                .equals("instance.power_state.update") && uuid.equals(j.path("instance_uuid").asString(null))
                && j.path("payload").path("power_state").asString().equals("SHUTDOWN")).isEmpty());
        AmqpTestClient.Received update = client.events(j -> j.path("event").asString()
                .equals("instance.power_state.update") && uuid.equals(j.path("instance_uuid").asString(null))).get(0);
        assertThat(update.json().path("payload").path("state").asString()).isEqualTo("STOPPED");
        await().atMost(WAIT).until(() -> !client.events(j -> j.path("event").asString().equals("host.status"))
                .isEmpty());
        assertThat(client.events(j -> j.path("event").asString().equals("host.status")).get(0).json()
                .path("payload").path("host").asString()).isEqualTo(HOST);
    }

    @Test
    void aChangeMissedWhileTheHypervisorWasUnreachableIsReportedOnceItIsBack() throws Exception {
        String uuid = UUID.randomUUID().toString();
        client.command(envelope("spawn", "lost-" + uuid, uuid, spawnArgs("lost")), "l-" + uuid);
        assertThat(client.awaitReply("l-" + uuid, WAIT).json().path("event").asString())
                .isEqualTo("instance.spawn.end");
        driver.setConnected(false);
        try {
            // the guest stops during the outage: its events are lost, the periodic pass is 10 min away
            driver.guestShutdown(UUID.fromString(uuid));
        } finally {
            driver.setConnected(true);
        }
        await().atMost(WAIT).until(() -> !client.events(j -> j.path("event").asString()
                .equals("instance.power_state.update") && uuid.equals(j.path("instance_uuid").asString(null))
                && j.path("payload").path("power_state").asString().equals("SHUTDOWN")).isEmpty());
    }

    @Test
    void aPauseBehindTheAgentsBackIsReportedPausedAndTheStateMachineGatesPowerCommands() throws Exception {
        String uuid = UUID.randomUUID().toString();
        assertThat(call("spawn", "ps-" + uuid, uuid, spawnArgs("power")).path("event").asString())
                .isEqualTo("instance.spawn.end");
        // what virsh suspend does: the hypervisor pauses the guest, the agent is not asked
        driver.pause(UUID.fromString(uuid));
        await().atMost(WAIT).until(() -> !client.events(j -> j.path("event").asString()
                .equals("instance.power_state.update") && uuid.equals(j.path("instance_uuid").asString(null))
                && j.path("payload").path("state").asString().equals("PAUSED")).isEmpty());

        JsonNode migrate = call("migrate", "pm-" + uuid, uuid, "{\"destination\":\"elsewhere\"}");
        assertThat(migrate.path("event").asString()).isEqualTo("instance.migrate.error");
        assertThat(migrate.path("error").path("code").asString()).isEqualTo("INVALID_STATE");
        assertThat(migrate.path("error").path("retriable").asBoolean()).isFalse();

        assertThat(call("unpause", "pu-" + uuid, uuid, "{}").path("payload").path("state").asString())
                .isEqualTo("ACTIVE");
        JsonNode suspended = call("suspend", "pss-" + uuid, uuid, "{}");
        assertThat(suspended.path("payload").path("state").asString()).isEqualTo("SUSPENDED");
        assertThat(suspended.path("payload").path("power_state").asString()).isEqualTo("SHUTDOWN");
        assertThat(call("start", "pst-" + uuid, uuid, "{}").path("error").path("code").asString())
                .isEqualTo("INVALID_STATE");
        JsonNode resumed = call("resume", "pr-" + uuid, uuid, "{}");
        assertThat(resumed.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(resumed.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        assertThat(driver.bootCount(UUID.fromString(uuid))).as("resume restores, never reboots").isEqualTo(1);
        assertThat(client.events(j -> uuid.equals(j.path("instance_uuid").asString(null))
                && j.path("event").asString().startsWith("instance.suspend."))).extracting(r -> r.json()
                .path("event").asString()).containsExactly("instance.suspend.start", "instance.suspend.end");
    }

    /** Sends a command with a reply address and returns the final event of it. */
    private static JsonNode call(String command, String requestId, String uuid, String args) throws Exception {
        client.command(envelope(command, requestId, uuid, args), "c-" + requestId);
        return client.awaitReply("c-" + requestId, WAIT).json();
    }
}

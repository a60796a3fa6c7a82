package dev.computeagent.agent.e2e;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * At-least-once for real: the agent JVM is SIGKILLed in the middle of several spawns and started
 * again, and the broker drops the agent's connection while a command is in flight. Every command
 * completes, none is executed twice, nothing is left behind.
 */
class AgentCrashAndBrokerOutageLibvirtRabbitMqTest {

    static final Duration WAIT = Duration.ofSeconds(120);
    AgentFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new AgentFixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private long endEvents(String requestId) {
        return fx.client.events(j -> requestId.equals(j.path("request_id").asString(null))).stream()
                .filter(r -> r.json().path("event").asString().endsWith(".end")).count();
    }

    private long errorEvents(String requestId) {
        return fx.client.events(j -> requestId.equals(j.path("request_id").asString(null))).stream()
                .filter(r -> r.json().path("event").asString().endsWith(".error")).count();
    }

    private boolean started(String requestId) {
        return fx.client.eventNames(requestId).contains("instance.spawn.start");
    }

    @Test
    void everySpawnCompletesExactlyOnceAcrossAnAgentKilledWithSigkill() throws Exception {
        GlanceStubServer.StubImage held = fx.glance.addImage("held", TinyGuestImage.write(fx.root.resolve("held.raw")));
        held.holdDownloads();
        fx.startAgent();
        List<String> uuids = new ArrayList<>();
        List<String> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String uuid = UUID.randomUUID().toString();
            String image = i < 2 ? AgentFixture.TINY : "held";
            uuids.add(uuid);
            requests.add("crash-" + i + "-" + uuid);
            fx.client.command(envelope("spawn", requests.get(i), uuid,
                    AgentFixture.spawnArgs("crash-" + i, image, 0, "{}")), "c-" + requests.get(i));
        }
        // two spawns finished, two stuck in their image download: kill the agent now
        await().atMost(WAIT).until(() -> endEvents(requests.get(0)) == 1 && endEvents(requests.get(1)) == 1
                && started(requests.get(2)) && started(requests.get(3)));
        fx.agent().kill();
        held.releaseDownloads();

        fx.startAgent();
        for (String request : requests) {
            await().atMost(WAIT).until(() -> endEvents(request) >= 1);
            assertThat(errorEvents(request)).as(request).isZero();
        }
        List<String> domains = Virsh.allDomains();
        for (String uuid : uuids) {
            assertThat(domains.stream().filter(d -> d.equals("instance-" + uuid))).as(uuid).hasSize(1);
            assertThat(fx.instanceDir(uuid).resolve("disk")).exists();
        }
        // the completed ones ran once: one start event each, never a second boot
        assertThat(fx.client.eventNames(requests.get(0)).stream().filter(e -> e.endsWith(".start"))).hasSize(1);

        for (String uuid : uuids) {
            String id = "del-" + uuid;
            fx.client.command(envelope("delete", id, uuid, "{}"), "c-" + id);
            fx.client.awaitReply("c-" + id, WAIT);
        }
        assertThat(Virsh.allDomains()).noneMatch(d -> uuids.stream().anyMatch(u -> d.equals("instance-" + u)));
        try (var dirs = Files.list(fx.stateDir.resolve("instances"))) {
            assertThat(dirs).isEmpty();
        }
    }

    @Test
    void aCommandInFlightWhenTheBrokerDropsTheConnectionStillCompletesOnce() throws Exception {
        GlanceStubServer.StubImage held = fx.glance.addImage("held2", TinyGuestImage.write(fx.root.resolve("h2.raw")));
        held.holdDownloads();
        fx.startAgent();
        String uuid = UUID.randomUUID().toString();
        String request = "outage-" + uuid;
        fx.client.command(envelope("spawn", request, uuid, AgentFixture.spawnArgs("outage", "held2", 0, "{}")),
                "c-" + request);
        await().atMost(WAIT).until(() -> started(request));

        closeAgentConnections(fx.host);
        held.releaseDownloads();

        fx.client.awaitReply("c-" + request, WAIT);
        await().atMost(WAIT).until(() -> fx.client.consumers() == 1);
        assertThat(errorEvents(request)).isZero();
        assertThat(Virsh.allDomains().stream().filter(d -> d.equals("instance-" + uuid))).hasSize(1);
        assertThat(fx.client.eventNames(request).stream().filter(e -> e.endsWith(".start"))).hasSize(1);

        // and the agent keeps taking commands on its new connection
        String id = "after-" + uuid;
        fx.client.command(envelope("delete", id, uuid, "{}"), "c-" + id);
        assertThat(fx.client.awaitReply("c-" + id, WAIT).json().path("payload").path("state").asString())
                .isEqualTo("DELETED");
    }

    /** Closes the agent's broker connections (named {@code compute-agent-<host>}) from the broker side. */
    private static void closeAgentConnections(String host) {
        // tab-separated output: the pid column is in the form close_connection accepts
        String table = Commands.check("rabbitmqctl", "-q", "list_connections", "pid", "client_properties");
        int closed = 0;
        for (String line : table.split("\n")) {
            if (line.contains("compute-agent-" + host)) {
                Commands.check("rabbitmqctl", "-q", "close_connection", line.split("\t")[0].trim(), "test: broker outage");
                closed++;
            }
        }
        assertThat(closed).as("agent connections found in " + table).isPositive();
    }
}

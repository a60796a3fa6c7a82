package dev.computeagent.agent.e2e;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.testing.GuestAgentShell;
import dev.computeagent.virt.testing.RealGuestImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * {@code snapshot} of a real running Linux guest (the Debian 12 image of {@link RealGuestImage} with its guest
 * agent) through RabbitMQ, into the HTTP Glance stub, and an instance spawned from that image: a file written in
 * the guest just before the snapshot, never synced by the test, is in the new instance (the guest agent froze
 * and flushed the file systems for the copy), a file written just after is not, and the source guest keeps
 * writing afterwards (thawed). Each instance boots once (a minute or more each under TCG).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealGuestSnapshotLibvirtRabbitMqTest {

    /** A minute or two on an idle host; far more on a loaded one (TCG). */
    private static final Duration BOOT = Duration.ofMinutes(20);
    private static final Duration COMMAND = Duration.ofMinutes(10);
    private static final String IMAGE = "debian-12";
    private static final String SNAPSHOT = "debian-12-snap-" + UUID.randomUUID().toString().substring(0, 8);

    private final String source = UUID.randomUUID().toString();
    private final String copy = UUID.randomUUID().toString();
    private final String marker = "written before the snapshot " + UUID.randomUUID();
    private AgentFixture fx;
    private GuestAgentShell sourceGuest;

    @BeforeAll
    void start() throws Exception {
        Path image = RealGuestImage.path();
        fx = new AgentFixture();
        fx.glance.addImage(IMAGE, image).diskFormat("qcow2").property("hw_qemu_guest_agent", "yes");
        fx.startAgent(Map.of("agent.libvirt.virt-type", RealGuestImage.VIRT_TYPE));
    }

    @AfterAll
    void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private JsonNode call(String command, String uuid, String args) throws Exception {
        String id = command + "-" + UUID.randomUUID();
        fx.client.command(envelope(command, id, uuid, args), "c-" + id);
        return fx.client.awaitReply("c-" + id, COMMAND).json();
    }

    private static String spawnArgs(String name, String image) {
        return "{\"name\":\"" + name + "\",\"flavor\":{\"vcpus\":1,\"memory_mb\":512,\"root_gb\":3},"
                + "\"image_id\":\"" + image + "\"}";
    }

    @Test
    @Order(1)
    void aRunningGuestIsSnapshottedQuiescedAndKeepsRunning() throws Exception {
        JsonNode spawned = call("spawn", source, spawnArgs("snap-source", IMAGE));
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        sourceGuest = new GuestAgentShell("qemu:///system", UUID.fromString(source)).awaitAnswering(BOOT);
        // no sync: only the freeze of the snapshot flushes it to the disk
        sourceGuest.run("echo '" + marker + "' > /root/marker");

        long started = System.nanoTime();
        JsonNode end = call("snapshot", source, "{\"image_id\":\"" + SNAPSHOT + "\",\"name\":\"debian snap\"}");
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(end.path("event").asString()).as(end.toString()).isEqualTo("instance.snapshot.end");
        JsonNode snapshot = end.path("payload").path("snapshot");
        assertThat(snapshot.path("consistency").asString()).isEqualTo("QUIESCED");
        assertThat(snapshot.path("size").asLong()).isGreaterThan(100L << 20);
        assertThat(end.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        assertThat(fx.glance.metadata(SNAPSHOT)).contains("\"status\":\"active\"", "\"hw_qemu_guest_agent\":\"yes\"",
                "\"instance_uuid\":\"" + source + "\"", "\"size\":" + snapshot.path("size").asLong());
        // thawed: the guest writes again at once
        sourceGuest.run("echo after > /root/after && sync");
        System.out.printf("[real-guest-snapshot] snapshot of a running Debian guest (2 GiB virtual): %d ms, "
                + "%d bytes uploaded%n", millis, snapshot.path("size").asLong());
    }

    @Test
    @Order(2)
    void anInstanceSpawnedFromTheSnapshotHasTheFileWrittenBeforeIt() throws Exception {
        JsonNode spawned = call("spawn", copy, spawnArgs("snap-copy", SNAPSHOT));
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        GuestAgentShell copyGuest = new GuestAgentShell("qemu:///system", UUID.fromString(copy)).awaitAnswering(BOOT);

        assertThat(copyGuest.run("cat /root/marker").strip()).isEqualTo(marker);
        assertThat(copyGuest.run("test -e /root/after && echo present || echo absent").strip()).isEqualTo("absent");
        assertThat(sourceGuest.run("cat /root/after").strip()).isEqualTo("after");
    }
}

package dev.computeagent.agent.e2e;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * {@code snapshot} through RabbitMQ on a real agent JVM, libvirtd + QEMU, the tiny guest and the Glance stub:
 * the image lands in the store and an instance spawned from it boots; a failed upload leaves no image in the
 * store and the instance as it was; another image's id is refused; a stopped instance is copied at rest.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SnapshotLibvirtRabbitMqTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static AgentFixture fx;
    private static final String UUID_1 = UUID.randomUUID().toString();

    @BeforeAll
    static void startAgentAndSpawn() throws Exception {
        fx = new AgentFixture();
        fx.startAgent();
        JsonNode spawned = call("spawn", UUID_1, AgentFixture.spawnArgs("snap-source", AgentFixture.TINY, 1, "{}"));
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private static JsonNode call(String command, String uuid, String args) throws Exception {
        String id = command + "-" + UUID.randomUUID();
        fx.client.command(envelope(command, id, uuid, args), "c-" + id);
        return fx.client.awaitReply("c-" + id, WAIT).json();
    }

    private static String snapshotArgs(String imageId, String name) {
        return "{\"image_id\":\"" + imageId + "\",\"name\":" + AgentFixture.json(name) + "}";
    }

    @Test
    @Order(1)
    void aRunningInstancesSnapshotIsAnImageInTheStoreThatBoots() throws Exception {
        JsonNode end = call("snapshot", UUID_1, snapshotArgs("snap-running", "snap <1>"));

        assertThat(end.path("event").asString()).as(end.toString()).isEqualTo("instance.snapshot.end");
        JsonNode snapshot = end.path("payload").path("snapshot");
        assertThat(snapshot.path("image_id").asString()).isEqualTo("snap-running");
        assertThat(snapshot.path("consistency").asString()).isEqualTo("CRASH_CONSISTENT");
        assertThat(snapshot.path("size").asLong()).isPositive();
        assertThat(end.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(end.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        assertThat(fx.glance.metadata("snap-running")).contains("\"status\":\"active\"",
                "\"size\":" + snapshot.path("size").asLong(), "\"name\":\"snap <1>\"", "\"disk_format\":\"qcow2\"",
                "\"instance_uuid\":\"" + UUID_1 + "\"", "\"base_image_ref\":\"" + AgentFixture.TINY + "\"");
        assertNoCopyLeft(UUID_1);

        String fromSnapshot = UUID.randomUUID().toString();
        JsonNode spawned = call("spawn", fromSnapshot, AgentFixture.spawnArgs("from-snap", "snap-running", 1, "{}"));
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        await().atMost(WAIT).untilAsserted(() -> assertThat(fx.instanceDir(fromSnapshot).resolve("console.log"))
                .content().contains(TinyGuestImage.BOOT_MARKER));
        assertThat(call("delete", fromSnapshot, "{}").path("event").asString()).isEqualTo("instance.delete.end");
    }

    @Test
    @Order(2)
    void aFailedUploadLeavesNoImageAndTheInstanceAsItWas() throws Exception {
        fx.glance.failNextUploads(1, 503);

        JsonNode error = call("snapshot", UUID_1, snapshotArgs("snap-failed", "fails"));

        assertThat(error.path("event").asString()).as(error.toString()).isEqualTo("instance.snapshot.error");
        assertThat(error.path("error").path("code").asString()).isEqualTo("IMAGE_UPLOAD_FAILED");
        assertThat(error.path("error").path("retriable").asBoolean()).isTrue();
        assertThat(fx.glance.hasImage("snap-failed")).isFalse();
        assertThat(error.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(error.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        assertNoCopyLeft(UUID_1);
        int boots = bootMarkers(UUID_1);
        assertThat(boots).as("the guest was not restarted").isEqualTo(1);
    }

    @Test
    @Order(3)
    void anotherImagesIdIsRefusedAndThatImageIsLeftAlone() throws Exception {
        String before = fx.glance.metadata(AgentFixture.TINY);

        JsonNode error = call("snapshot", UUID_1, snapshotArgs(AgentFixture.TINY, "clash"));

        assertThat(error.path("event").asString()).as(error.toString()).isEqualTo("instance.snapshot.error");
        assertThat(error.path("error").path("code").asString()).isEqualTo("INVALID_COMMAND");
        assertThat(fx.glance.metadata(AgentFixture.TINY)).isEqualTo(before);
        assertNoCopyLeft(UUID_1);
    }

    @Test
    @Order(4)
    void aStoppedInstanceIsCopiedAtRestAndStaysStopped() throws Exception {
        assertThat(call("stop", UUID_1, "{\"timeout_s\":0}").path("event").asString()).isEqualTo("instance.stop.end");

        JsonNode end = call("snapshot", UUID_1, snapshotArgs("snap-stopped", "at rest"));

        assertThat(end.path("event").asString()).as(end.toString()).isEqualTo("instance.snapshot.end");
        assertThat(end.path("payload").path("snapshot").path("consistency").asString()).isEqualTo("STOPPED");
        assertThat(end.path("payload").path("state").asString()).isEqualTo("STOPPED");
        assertThat(fx.glance.metadata("snap-stopped")).contains("\"status\":\"active\"");
        assertNoCopyLeft(UUID_1);
    }

    @Test
    @Order(5)
    void snapshotOfAnUnknownInstanceIsNotFoundAndWithoutANameRejected() throws Exception {
        JsonNode error = call("snapshot", UUID.randomUUID().toString(), snapshotArgs("snap-nobody", "x"));
        assertThat(error.path("error").path("code").asString()).as(error.toString()).isEqualTo("INSTANCE_NOT_FOUND");
        assertThat(fx.glance.hasImage("snap-nobody")).isFalse();

        JsonNode rejected = call("snapshot", UUID_1, "{\"image_id\":\"snap-noname\"}");
        assertThat(rejected.path("event").asString()).as(rejected.toString()).isEqualTo("command.rejected");
        assertThat(rejected.path("payload").path("reason").asString()).contains("args.name");
    }

    private static void assertNoCopyLeft(String uuid) throws IOException {
        try (Stream<Path> files = Files.list(fx.instanceDir(uuid))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("snapshot-"));
        }
    }

    private static int bootMarkers(String uuid) throws IOException {
        String log = Files.readString(fx.instanceDir(uuid).resolve("console.log"),
                StandardCharsets.ISO_8859_1);
        return log.split(TinyGuestImage.BOOT_MARKER, -1).length - 1;
    }
}

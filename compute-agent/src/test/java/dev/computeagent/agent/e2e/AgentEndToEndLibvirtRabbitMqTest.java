package dev.computeagent.agent.e2e;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.image.testing.TestImages;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The agent as a controller sees it: AMQP only, a separate agent JVM, real libvirtd + QEMU, a real
 * HTTP image store, the tiny test guest.
 */
class AgentEndToEndLibvirtRabbitMqTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    static AgentFixture fx;

    @BeforeAll
    static void startAgent() throws Exception {
        fx = new AgentFixture();
        fx.startAgent();
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

    @Test
    void spawnStopStartRebootDeleteDriveARealGuest() throws Exception {
        String uuid = UUID.randomUUID().toString();
        String hostileName = "<vm name=\"x\"> & ]]> '";
        JsonNode spawned = call("spawn", uuid, AgentFixture.spawnArgs(hostileName, AgentFixture.TINY, 1,
                "{\"<k>&'\\\"\":\"</metadata><evil/>\",\"plain\":\"v\"}"));
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        assertThat(spawned.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(spawned.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        assertThat(spawned.path("payload").path("name").asString()).isEqualTo(hostileName);
        assertThat(Virsh.allDomains()).contains("instance-" + uuid);
        assertThat(fx.instanceDir(uuid).resolve("disk")).exists();
        await().atMost(WAIT).untilAsserted(() -> assertThat(fx.instanceDir(uuid).resolve("console.log"))
                .content().contains(TinyGuestImage.BOOT_MARKER));

        JsonNode stopped = call("stop", uuid, "{\"timeout_s\":0}");
        assertThat(stopped.path("payload").path("state").asString()).as(stopped.toString()).isEqualTo("STOPPED");
        assertThat(stopped.path("payload").path("power_state").asString()).isEqualTo("SHUTDOWN");
        JsonNode again = call("stop", uuid, "{}");
        assertThat(again.path("event").asString()).as("stop of a stopped instance").isEqualTo("instance.stop.end");

        JsonNode started = call("start", uuid, "{}");
        assertThat(started.path("payload").path("state").asString()).as(started.toString()).isEqualTo("ACTIVE");
        JsonNode rebooted = call("reboot", uuid, "{\"hard\":true}");
        assertThat(rebooted.path("event").asString()).as(rebooted.toString()).isEqualTo("instance.reboot.end");
        assertThat(rebooted.path("payload").path("power_state").asString()).isEqualTo("RUNNING");

        JsonNode deleted = call("delete", uuid, "{}");
        assertThat(deleted.path("payload").path("state").asString()).as(deleted.toString()).isEqualTo("DELETED");
        assertThat(Virsh.allDomains()).doesNotContain("instance-" + uuid);
        assertThat(fx.instanceDir(uuid)).doesNotExist();
        assertThat(fx.stateDir.resolve("_base")).isDirectory();
    }

    @Test
    void spawnOfAnExistingUuidWithAnotherSpecFailsAndLeavesTheInstanceRunning() throws Exception {
        String uuid = UUID.randomUUID().toString();
        assertThat(call("spawn", uuid, AgentFixture.spawnArgs("one", AgentFixture.TINY, 0, "{}"))
                .path("event").asString()).isEqualTo("instance.spawn.end");
        JsonNode same = call("spawn", uuid, AgentFixture.spawnArgs("one", AgentFixture.TINY, 0, "{}"));
        assertThat(same.path("event").asString()).as("same spec again").isEqualTo("instance.spawn.end");
        JsonNode other = call("spawn", uuid, AgentFixture.spawnArgs("two", AgentFixture.TINY, 0, "{}"));
        assertThat(other.path("event").asString()).isEqualTo("instance.spawn.error");
        assertThat(other.path("error").path("code").asString()).isEqualTo("INSTANCE_EXISTS");
        assertThat(Virsh.allDomains().stream().filter(d -> d.equals("instance-" + uuid))).hasSize(1);
        assertThat(fx.instanceDir(uuid).resolve("disk")).exists();
        assertThat(call("delete", uuid, "{}").path("event").asString()).isEqualTo("instance.delete.end");
    }

    @Test
    void aFlavorsEphemeralDiskIsAnEmptyQcow2AttachedAsVdbAndGoesWithTheInstance() throws Exception {
        String uuid = UUID.randomUUID().toString();
        String args = AgentFixture.spawnArgs("eph", AgentFixture.TINY, 1, "{}")
                .replace("\"root_gb\":1}", "\"root_gb\":1,\"ephemeral_gb\":1}");
        JsonNode spawned = call("spawn", uuid, args);
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        assertThat(spawned.path("payload").path("flavor").path("ephemeral_gb").asLong()).isEqualTo(1);
        Path ephemeral = fx.instanceDir(uuid).resolve("disk.eph0");
        assertThat(TestImages.qemuImg("info", "--output=json", "-U", "-f", "qcow2", ephemeral.toString()))
                .contains("\"virtual-size\": " + (1L << 30)).doesNotContain("backing-filename");
        String xml = Virsh.run("dumpxml", "instance-" + uuid);
        assertThat(xml.split("</disk>")).as(xml).anySatisfy(disk -> assertThat(disk)
                .contains("<source file='" + ephemeral + "'", "<target dev='vdb' bus='virtio'/>",
                        "type='qcow2'"));
        assertThat(call("delete", uuid, "{}").path("event").asString()).isEqualTo("instance.delete.end");
        assertThat(fx.instanceDir(uuid)).doesNotExist();
    }

    @Test
    void userDataReachesTheGuestOnAReadOnlyConfigDrive() throws Exception {
        ConfigDrives.requireGenisoimage();
        String uuid = UUID.randomUUID().toString();
        String userData = "#cloud-config\nhostname: <&>\n";
        String args = AgentFixture.spawnArgs("Config Drive", AgentFixture.TINY, 1, "{\"role\":\"db\"}")
                .replaceFirst("}$", ",\"user_data\":\"" + Base64.getEncoder().encodeToString(
                        userData.getBytes(StandardCharsets.UTF_8)) + "\"}");
        JsonNode spawned = call("spawn", uuid, args);
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        assertThat(spawned.path("payload").path("power_state").asString()).isEqualTo("RUNNING");

        Path drive = fx.instanceDir(uuid).resolve("disk.config");
        assertThat(ConfigDrives.describe(drive)).contains("Volume id: config-2");
        assertThat(ConfigDrives.file(drive, "/openstack/latest/user_data"))
                .isEqualTo(userData.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(ConfigDrives.file(drive, "/openstack/latest/meta_data.json"), StandardCharsets.UTF_8))
                .contains("\"uuid\":\"" + uuid + "\"", "\"hostname\":\"config-drive\"", "\"role\":\"db\"");
        String xml = Virsh.run("dumpxml", "instance-" + uuid);
        assertThat(xml.split("</disk>")).as(xml).anySatisfy(disk -> assertThat(disk)
                .contains("device='cdrom'", "<source file='" + drive + "'", "<target dev='hdd' bus='ide'/>",
                        "<readonly/>"));
        assertThat(call("delete", uuid, "{}").path("event").asString()).isEqualTo("instance.delete.end");
        assertThat(fx.instanceDir(uuid)).doesNotExist();
    }

    @Test
    void hostileImagesGiveTypedErrorsAndLeaveNothingBehind() throws Exception {
        fx.glance.addImage("with-backing", TestImages.qcow2WithBackingFile(fx.root.resolve("b.qcow2"), "/etc/passwd"))
                .diskFormat("qcow2");
        fx.glance.addImage("lying-format", TestImages.qcow2(fx.root.resolve("q.qcow2"), 1 << 20)).diskFormat("raw");
        fx.glance.addImage("bad-hash", TinyGuestImage.write(fx.root.resolve("h.raw")))
                .osHashValue("00".repeat(64));
        String[][] cases = {{"with-backing", "IMAGE_UNSAFE"}, {"lying-format", "IMAGE_UNSAFE"},
                {"bad-hash", "IMAGE_CHECKSUM_MISMATCH"}, {"no-such-image", "IMAGE_NOT_FOUND"}};
        for (String[] c : cases) {
            String uuid = UUID.randomUUID().toString();
            JsonNode reply = call("spawn", uuid, AgentFixture.spawnArgs("h", c[0], 0, "{}"));
            assertThat(reply.path("event").asString()).as(c[0]).isEqualTo("instance.spawn.error");
            assertThat(reply.path("error").path("code").asString()).as(c[0]).isEqualTo(c[1]);
            assertThat(fx.instanceDir(uuid)).as(c[0]).doesNotExist();
            assertThat(Virsh.allDomains()).as(c[0]).doesNotContain("instance-" + uuid);
        }
        try (var bases = Files.list(fx.stateDir.resolve("_base"))) {
            assertThat(bases.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.contains("with-backing") || n.contains("lying") || n.contains("bad-hash"));
        }
    }

    @Test
    void aTooSmallRootDiskIsImageTooLarge() throws Exception {
        fx.glance.addImage("big", TestImages.emptyQcow2(fx.root.resolve("big.qcow2"), 3L << 30)).diskFormat("qcow2");
        String uuid = UUID.randomUUID().toString();
        JsonNode reply = call("spawn", uuid, AgentFixture.spawnArgs("big", "big", 1, "{}"));
        assertThat(reply.path("error").path("code").asString()).as(reply.toString()).isEqualTo("IMAGE_TOO_LARGE");
        assertThat(fx.instanceDir(uuid)).doesNotExist();
    }

    @Test
    void anInvalidMessageLandsInTheDeadLetterQueueWhileTheAgentKeepsWorking() throws Exception {
        byte[] garbage = "{\"version\":1,\"command\":\"spawn\"".getBytes(StandardCharsets.UTF_8);
        fx.client.publish("compute." + fx.host, garbage, null);
        String uuid = UUID.randomUUID().toString();
        assertThat(call("delete", uuid, "{}").path("event").asString()).isEqualTo("instance.delete.end");
        List<byte[]> dead = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            dead.addAll(fx.client.drainDeadLetters());
            return !dead.isEmpty();
        });
        assertThat(dead).anySatisfy(d -> assertThat(d).isEqualTo(garbage));
        assertThat(fx.agent().alive()).isTrue();
    }
}

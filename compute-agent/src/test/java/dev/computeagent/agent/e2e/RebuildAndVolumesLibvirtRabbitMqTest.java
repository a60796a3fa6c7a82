package dev.computeagent.agent.e2e;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code rebuild}, and resize / rescue of an instance with a volume attached, as a controller sees them: AMQP only,
 * a separate agent JVM (SIGKILLed in the middle of a rebuild), real libvirtd + QEMU, real qemu-img and genisoimage,
 * a real HTTP image store, the tiny test guest and a second tiny image whose boot sector prints its own marker. The
 * domain is read back from libvirt through the typed model.
 */
class RebuildAndVolumesLibvirtRabbitMqTest {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final String SMALL = "{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":1}";
    static final String OTHER = "tiny-rebuilt";
    /** The boot marker of {@link #OTHER}: the tiny guest's, same length, other text. */
    static final String OTHER_MARKER = "COMPUTE-AGENT-REBUILT-IMG2";
    static AgentFixture fx;
    static Path fileVolume;

    @BeforeAll
    static void startAgent() throws Exception {
        ConfigDrives.requireGenisoimage();
        fx = new AgentFixture();
        Path other = TinyGuestImage.write(fx.root.resolve("other.raw"));
        byte[] image = Files.readAllBytes(other);
        byte[] marker = TinyGuestImage.BOOT_MARKER.getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(image, marker);
        System.arraycopy(OTHER_MARKER.getBytes(StandardCharsets.US_ASCII), 0, image, at, marker.length);
        Files.write(other, image);
        fx.glance.addImage(OTHER, other);
        fileVolume = fx.root.resolve("file-volume.raw");
        Commands.check("qemu-img", "create", "-q", "-f", "raw", fileVolume.toString(), "1M");
        Files.setPosixFilePermissions(fileVolume, PosixFilePermissions.fromString("rw-rw-rw-"));
        fx.startAgent();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("the tiny guest's boot sector has no marker");
    }

    private static JsonNode call(String command, String uuid, String args) throws Exception {
        String id = command + "-" + UUID.randomUUID();
        fx.client.command(envelope(command, id, uuid, args), "c-" + id);
        return fx.client.awaitReply("c-" + id, WAIT).json();
    }

    private static String spawn(String userData) throws Exception {
        String uuid = UUID.randomUUID().toString();
        JsonNode spawned = call("spawn", uuid, "{\"name\":\"rebuild-me\",\"flavor\":" + SMALL + ",\"image_id\":\""
                + AgentFixture.TINY + "\",\"nics\":[{\"type\":\"user\"}],\"user_data\":\"" + base64(userData) + "\"}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        return uuid;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void attachFileVolume(String uuid, String expectedDevice) throws Exception {
        JsonNode attached = call("attach_volume", uuid, "{\"volume_id\":\"vol-file\",\"connection_info\":{"
                + "\"driver_volume_type\":\"file\",\"data\":{\"path\":\"" + fileVolume + "\",\"format\":\"raw\"}}}");
        assertThat(attached.path("event").asString()).as(attached.toString()).isEqualTo("instance.attach_volume.end");
        assertThat(attached.path("payload").path("device").asString()).isEqualTo(expectedDevice);
    }

    private static Domain domain(String uuid) {
        return DomainXml.parse(Virsh.run("dumpxml", "--inactive", "instance-" + uuid));
    }

    private static List<String> disks(Domain domain) {
        return domain.devices().disks().stream().map(d -> d.targetDev() + " " + d.source().getFileName()).toList();
    }

    private static List<String> macs(Domain domain) {
        return domain.devices().interfaces().stream().map(n -> n.mac().orElseThrow()).toList();
    }

    private static String backingFile(Path disk) {
        JsonNode info = JsonMapper.builder().build().readTree(
                Commands.check("qemu-img", "info", "-U", "--output=json", disk.toString()));
        return info.path("backing-filename").asString();
    }

    private static String userData(String uuid) {
        return new String(ConfigDrives.file(fx.instanceDir(uuid).resolve("disk.config"),
                "/openstack/latest/user_data"), StandardCharsets.UTF_8);
    }

    @Test
    void rebuildFromAnotherImageBootsItWithTheSameMacsAndVolumeAndNewUserDataAndDropsTheOldOverlay()
            throws Exception {
        String uuid = spawn("#cloud-config\n# before\n");
        Path dir = fx.instanceDir(uuid);
        attachFileVolume(uuid, "vdb");
        Domain before = domain(uuid);
        String oldBase = backingFile(dir.resolve("disk"));
        long oldInode = (Long) Files.getAttribute(dir.resolve("disk"), "unix:ino");
        assertThat(fx.console(uuid)).doesNotContain(OTHER_MARKER);

        JsonNode unknown = call("rebuild", uuid, "{\"image_id\":\"no-such-image\",\"timeout_s\":0}");
        assertThat(unknown.path("error").path("code").asString()).as(unknown.toString()).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(Virsh.domstate(UUID.fromString(uuid))).isEqualTo("running");
        assertThat(Files.getAttribute(dir.resolve("disk"), "unix:ino")).isEqualTo(oldInode);
        assertThat(dir.resolve(".rebuild.json")).doesNotExist();

        JsonNode rebuilt = call("rebuild", uuid, "{\"image_id\":\"" + OTHER + "\",\"user_data\":\""
                + base64("#cloud-config\n# after\n") + "\",\"timeout_s\":0}");
        assertThat(rebuilt.path("event").asString()).as(rebuilt.toString()).isEqualTo("instance.rebuild.end");
        assertThat(rebuilt.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(rebuilt.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        assertThat(rebuilt.path("payload").path("image_id").asString()).isEqualTo(OTHER);
        await().atMost(WAIT).untilAsserted(() -> assertThat(fx.console(uuid)).contains(OTHER_MARKER));
        Domain after = domain(uuid);
        assertThat(macs(after)).isEqualTo(macs(before));
        assertThat(disks(after)).containsExactlyInAnyOrderElementsOf(disks(before)).contains("vdb file-volume.raw");
        assertThat(after.agentMetadata().orElseThrow().imageId()).isEqualTo(OTHER);
        assertThat(after.agentMetadata().orElseThrow().name()).isEqualTo("rebuild-me");
        assertThat(backingFile(dir.resolve("disk"))).isNotEqualTo(oldBase);
        assertThat(Files.getAttribute(dir.resolve("disk"), "unix:ino")).as("the old overlay is gone")
                .isNotEqualTo(oldInode);
        assertThat(userData(uuid)).isEqualTo("#cloud-config\n# after\n");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("rebuild"));
        }

        call("delete", uuid, "{}");
        assertThat(dir).doesNotExist();
    }

    @Test
    void aRebuildCutByAnAgentKilledWithSigkillIsFinishedOnceAtStartUp() throws Exception {
        String uuid = spawn("#cloud-config\n# before\n");
        Path dir = fx.instanceDir(uuid);
        List<String> macs = macs(domain(uuid));
        String request = "rebuild-kill-" + uuid;
        // the tiny guest ignores ACPI: the rebuild waits in its graceful shutdown, its new disks complete
        fx.client.command(envelope("rebuild", request, uuid, "{\"image_id\":\"" + OTHER + "\",\"timeout_s\":30}"),
                "c-" + request);
        await().atMost(WAIT).until(() -> Files.exists(dir.resolve(".rebuild.json"))
                && Files.readString(dir.resolve(".rebuild.json")).contains("SWAPPING"));
        fx.agent().kill();

        fx.startAgent();
        JsonNode outcome = fx.client.awaitReply("c-" + request, WAIT).json();
        assertThat(outcome.path("event").asString()).as(outcome.toString()).isEqualTo("instance.rebuild.end");
        assertThat(outcome.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(outcome.path("payload").path("image_id").asString()).isEqualTo(OTHER);
        assertThat(fx.client.events(j -> request.equals(j.path("request_id").asString(null))).stream()
                .map(r -> r.json().path("event").asString()).filter(e -> !e.endsWith(".start")))
                .containsExactly("instance.rebuild.end");
        await().atMost(WAIT).untilAsserted(() -> assertThat(fx.console(uuid)).contains(OTHER_MARKER));
        assertThat(macs(domain(uuid))).isEqualTo(macs);
        assertThat(userData(uuid)).as("kept from the old config drive").isEqualTo("#cloud-config\n# before\n");
        assertThat(dir.resolve(".rebuild.json")).doesNotExist();
        assertThat(dir.resolve("disk.rebuild")).doesNotExist();
        assertThat(Virsh.domstate(UUID.fromString(uuid))).isEqualTo("running");
        call("delete", uuid, "{}");
    }

    @Test
    void resizeAndRescueKeepAnAttachedFileVolumeOnItsDevice() throws Exception {
        String uuid = spawn("#cloud-config\n");
        Path dir = fx.instanceDir(uuid);
        attachFileVolume(uuid, "vdb");
        assertThat(disks(domain(uuid))).containsExactlyInAnyOrder("vda disk", "hdd disk.config", "vdb file-volume.raw");

        JsonNode ephemeralOnTheVolume = call("resize", uuid,
                "{\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":1,\"ephemeral_gb\":1},\"timeout_s\":0}");
        assertThat(ephemeralOnTheVolume.path("error").path("code").asString()).as(ephemeralOnTheVolume.toString())
                .isEqualTo("INVALID_STATE");
        assertThat(ephemeralOnTheVolume.path("error").path("message").asString()).contains("vol-file");
        assertThat(Virsh.domstate(UUID.fromString(uuid))).isEqualTo("running");

        JsonNode resized = call("resize", uuid, "{\"flavor\":{\"vcpus\":2,\"memory_mb\":96,\"root_gb\":2},\"timeout_s\":0}");
        assertThat(resized.path("event").asString()).as(resized.toString()).isEqualTo("instance.resize.end");
        assertThat(resized.path("payload").path("state").asString()).isEqualTo("RESIZED");
        Domain large = domain(uuid);
        assertThat(large.memoryKib()).isEqualTo(96 * 1024);
        assertThat(disks(large)).containsExactlyInAnyOrder("vda disk", "hdd disk.config", "vdb file-volume.raw");
        assertThat(Virsh.run("domblklist", "instance-" + uuid)).contains(fileVolume.toString());
        JsonNode confirmed = call("confirm_resize", uuid, "{}");
        assertThat(confirmed.path("event").asString()).as(confirmed.toString()).isEqualTo("instance.confirm_resize.end");

        JsonNode rescued = call("rescue", uuid, "{\"timeout_s\":0}");
        assertThat(rescued.path("event").asString()).as(rescued.toString()).isEqualTo("instance.rescue.end");
        assertThat(rescued.path("payload").path("state").asString()).isEqualTo("RESCUED");
        assertThat(disks(domain(uuid))).containsExactlyInAnyOrder("vda disk.rescue", "vdc disk", "hdd disk.config",
                "vdb file-volume.raw");
        assertThat(Virsh.domstate(UUID.fromString(uuid))).isEqualTo("running");
        JsonNode unrescued = call("unrescue", uuid, "{}");
        assertThat(unrescued.path("payload").path("state").asString()).as(unrescued.toString()).isEqualTo("ACTIVE");
        assertThat(disks(domain(uuid))).containsExactlyInAnyOrder("vda disk", "hdd disk.config", "vdb file-volume.raw");
        assertThat(dir.resolve("disk.rescue")).doesNotExist();

        call("delete", uuid, "{}");
        assertThat(dir).doesNotExist();
        assertThat(fileVolume).as("a volume is not the instance's to remove").exists();
    }
}

package dev.computeagent.agent.e2e;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * resize / confirm_resize / revert_resize and rescue / unrescue as a controller sees them: AMQP only, a
 * separate agent JVM (SIGKILLed in the middle of a resize), real libvirtd + QEMU, real qemu-img, a real HTTP
 * image store, the tiny test guest. The domain is read back from libvirt through the typed model.
 */
class ResizeAndRescueLibvirtRabbitMqTest {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final String SMALL = "{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":1}";
    static final String LARGE = "{\"vcpus\":2,\"memory_mb\":96,\"root_gb\":2,\"ephemeral_gb\":1}";
    static AgentFixture fx;

    @BeforeAll
    static void startAgent() throws Exception {
        fx = new AgentFixture();
        fx.glance.addImage("rescue-image", TinyGuestImage.write(fx.root.resolve("rescue.raw")));
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

    private static String spawn() throws Exception {
        String uuid = UUID.randomUUID().toString();
        JsonNode spawned = call("spawn", uuid, "{\"name\":\"resize-me\",\"flavor\":" + SMALL + ",\"image_id\":\""
                + AgentFixture.TINY + "\",\"nics\":[{\"type\":\"user\"}]}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        return uuid;
    }

    private static Domain domain(String uuid) {
        return DomainXml.parse(Virsh.run("dumpxml", "--inactive", "instance-" + uuid));
    }

    private static List<String> diskTargets(Domain domain) {
        return domain.devices().disks().stream().map(Disk::targetDev).toList();
    }

    private static long virtualSize(Path disk) {
        JsonNode info = JsonMapper.builder().build().readTree(
                Commands.check("qemu-img", "info", "-U", "--output=json", disk.toString()));
        return info.path("virtual-size").asLong();
    }

    private static JsonNode rest(String uuid) throws Exception {
        return JsonMapper.builder().build().readTree(fx.get("/v1/instances/" + uuid).body());
    }

    @Test
    void resizeGrowsTheGuestRevertBringsItBackExactlyAndConfirmKeepsTheNewSize() throws Exception {
        String uuid = spawn();
        Path dir = fx.instanceDir(uuid);
        Domain before = domain(uuid);
        List<String> macs = before.devices().interfaces().stream().map(n -> n.mac().orElseThrow()).toList();
        assertThat(diskTargets(before)).containsExactly("vda", "hdd");

        JsonNode smaller = call("resize", uuid, "{\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0}}");
        assertThat(smaller.path("error").path("code").asString()).as(smaller.toString()).isEqualTo("INVALID_COMMAND");
        assertThat(smaller.path("error").path("message").asString()).contains("root disk can only grow");
        JsonNode noResize = call("confirm_resize", uuid, "{}");
        assertThat(noResize.path("error").path("code").asString()).isEqualTo("INVALID_STATE");
        assertThat(Files.exists(dir.resolve(".resize.json"))).isFalse();

        JsonNode resized = call("resize", uuid, "{\"flavor\":" + LARGE + ",\"timeout_s\":0}");
        assertThat(resized.path("event").asString()).as(resized.toString()).isEqualTo("instance.resize.end");
        assertThat(resized.path("payload").path("state").asString()).isEqualTo("RESIZED");
        assertThat(resized.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        assertThat(resized.path("payload").path("flavor").path("vcpus").asInt()).isEqualTo(2);
        Domain large = domain(uuid);
        assertThat(large.vcpus()).isEqualTo(2);
        assertThat(large.memoryKib()).isEqualTo(96 * 1024);
        assertThat(diskTargets(large)).containsExactly("vda", "vdb", "hdd");
        assertThat(large.devices().interfaces().stream().map(n -> n.mac().orElseThrow())).containsExactlyElementsOf(macs);
        assertThat(virtualSize(dir.resolve("disk"))).isEqualTo(2L << 30);
        assertThat(virtualSize(dir.resolve("disk.eph0"))).isEqualTo(1L << 30);
        assertThat(virtualSize(dir.resolve("disk.pre-resize"))).isEqualTo(1L << 30);
        assertThat(Virsh.domstate(UUID.fromString(uuid))).isEqualTo("running");
        assertThat(rest(uuid).path("state").asString()).isEqualTo("RESIZED");
        JsonNode again = call("resize", uuid, "{\"flavor\":" + SMALL + "}");
        assertThat(again.path("error").path("code").asString()).as("a second resize waits").isEqualTo("INVALID_STATE");

        JsonNode reverted = call("revert_resize", uuid, "{}");
        assertThat(reverted.path("event").asString()).as(reverted.toString()).isEqualTo("instance.revert_resize.end");
        assertThat(reverted.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(reverted.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        Domain back = domain(uuid);
        assertThat(back.vcpus()).isEqualTo(before.vcpus());
        assertThat(back.memoryKib()).isEqualTo(before.memoryKib());
        assertThat(back.devices().disks()).isEqualTo(before.devices().disks());
        assertThat(back.devices().interfaces()).isEqualTo(before.devices().interfaces());
        assertThat(back.agentMetadata().orElseThrow().flavor()).isEqualTo(before.agentMetadata().orElseThrow().flavor());
        assertThat(virtualSize(dir.resolve("disk"))).isEqualTo(1L << 30);
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.contains("pre-resize") || n.equals(".resize.json") || n.equals("disk.eph0"));
        }
        assertThat(rest(uuid).path("flavor").path("memory_mb").asInt()).isEqualTo(64);

        // a stopped instance is resized stopped, and stays so when confirmed
        call("stop", uuid, "{\"timeout_s\":0}");
        JsonNode resizedStopped = call("resize", uuid, "{\"flavor\":" + LARGE + "}");
        assertThat(resizedStopped.path("payload").path("state").asString()).as(resizedStopped.toString())
                .isEqualTo("RESIZED");
        assertThat(resizedStopped.path("payload").path("power_state").asString()).isEqualTo("SHUTDOWN");
        JsonNode confirmed = call("confirm_resize", uuid, "{}");
        assertThat(confirmed.path("event").asString()).as(confirmed.toString()).isEqualTo("instance.confirm_resize.end");
        assertThat(confirmed.path("payload").path("state").asString()).isEqualTo("STOPPED");
        assertThat(confirmed.path("payload").path("flavor").path("memory_mb").asInt()).isEqualTo(96);
        assertThat(dir.resolve("disk.pre-resize")).doesNotExist();
        assertThat(dir.resolve(".resize.json")).doesNotExist();
        assertThat(virtualSize(dir.resolve("disk"))).isEqualTo(2L << 30);
        assertThat(domain(uuid).memoryKib()).isEqualTo(96 * 1024);
        JsonNode started = call("start", uuid, "{}");
        assertThat(started.path("payload").path("power_state").asString()).isEqualTo("RUNNING");

        call("delete", uuid, "{}");
        assertThat(dir).doesNotExist();
    }

    @Test
    void aResizeCutByAnAgentKilledWithSigkillEndsOnceAndRevertsExactly() throws Exception {
        String uuid = spawn();
        Path dir = fx.instanceDir(uuid);
        Domain before = domain(uuid);
        String request = "resize-kill-" + uuid;
        // the tiny guest ignores ACPI: the resize waits in its graceful shutdown, with its record written
        fx.client.command(envelope("resize", request, uuid, "{\"flavor\":" + LARGE + ",\"timeout_s\":20}"),
                "c-" + request);
        await().atMost(WAIT).until(() -> Files.exists(dir.resolve(".resize.json")));
        fx.agent().kill();

        fx.startAgent();
        JsonNode outcome = fx.client.awaitReply("c-" + request, WAIT).json();
        assertThat(outcome.path("event").asString()).as(outcome.toString()).isEqualTo("instance.resize.end");
        assertThat(outcome.path("payload").path("state").asString()).isEqualTo("RESIZED");
        assertThat(outcome.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        assertThat(fx.client.events(j -> request.equals(j.path("request_id").asString(null))).stream()
                .map(r -> r.json().path("event").asString()).filter(e -> !e.endsWith(".start")))
                .containsExactly("instance.resize.end");
        assertThat(domain(uuid).memoryKib()).isEqualTo(96 * 1024);
        assertThat(virtualSize(dir.resolve("disk.pre-resize"))).isEqualTo(1L << 30);

        JsonNode reverted = call("revert_resize", uuid, "{}");
        assertThat(reverted.path("payload").path("state").asString()).as(reverted.toString()).isEqualTo("ACTIVE");
        Domain back = domain(uuid);
        assertThat(back.memoryKib()).isEqualTo(before.memoryKib());
        assertThat(back.devices().disks()).isEqualTo(before.devices().disks());
        assertThat(virtualSize(dir.resolve("disk"))).isEqualTo(1L << 30);
        assertThat(dir.resolve(".resize.json")).doesNotExist();
        assertThat(Virsh.domstate(UUID.fromString(uuid))).isEqualTo("running");
        call("delete", uuid, "{}");
    }

    @Test
    void rescueBootsTheRescueImageWithTheRootDiskSecondAndUnrescueLeavesNothingOfIt() throws Exception {
        String uuid = spawn();
        Path dir = fx.instanceDir(uuid);
        Domain before = domain(uuid);
        JsonNode notRescued = call("unrescue", uuid, "{}");
        assertThat(notRescued.path("error").path("code").asString()).as(notRescued.toString())
                .isEqualTo("INVALID_STATE");

        JsonNode unknown = call("rescue", uuid, "{\"image_id\":\"no-such-image\",\"timeout_s\":0}");
        assertThat(unknown.path("error").path("code").asString()).as(unknown.toString()).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(dir.resolve("disk.rescue")).doesNotExist();
        assertThat(Virsh.domstate(UUID.fromString(uuid))).isEqualTo("running");
        assertThat(domain(uuid).devices().disks()).isEqualTo(before.devices().disks());

        JsonNode rescued = call("rescue", uuid, "{\"image_id\":\"rescue-image\",\"timeout_s\":0}");
        assertThat(rescued.path("event").asString()).as(rescued.toString()).isEqualTo("instance.rescue.end");
        assertThat(rescued.path("payload").path("state").asString()).isEqualTo("RESCUED");
        assertThat(rescued.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        Domain rescue = domain(uuid);
        assertThat(diskTargets(rescue)).containsExactly("vda", "vdb", "hdd");
        assertThat(rescue.devices().disks().get(0).source()).isEqualTo(dir.resolve("disk.rescue"));
        assertThat(rescue.devices().disks().get(1).source()).isEqualTo(dir.resolve("disk"));
        assertThat(rescue.devices().interfaces()).isEqualTo(before.devices().interfaces());
        assertThat(Virsh.domstate(UUID.fromString(uuid))).isEqualTo("running");
        assertThat(rest(uuid).path("state").asString()).isEqualTo("RESCUED");
        JsonNode resizeRescued = call("resize", uuid, "{\"flavor\":" + LARGE + "}");
        assertThat(resizeRescued.path("error").path("code").asString()).isEqualTo("INVALID_STATE");

        JsonNode unrescued = call("unrescue", uuid, "{}");
        assertThat(unrescued.path("event").asString()).as(unrescued.toString()).isEqualTo("instance.unrescue.end");
        assertThat(unrescued.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(unrescued.path("payload").path("power_state").asString()).isEqualTo("RUNNING");
        assertThat(domain(uuid).devices().disks()).isEqualTo(before.devices().disks());
        assertThat(dir.resolve("disk.rescue")).doesNotExist();
        assertThat(Virsh.domstate(UUID.fromString(uuid))).isEqualTo("running");

        // without an image id the instance's own image rescues it
        call("stop", uuid, "{\"timeout_s\":0}");
        JsonNode ownImage = call("rescue", uuid, "{}");
        assertThat(ownImage.path("payload").path("state").asString()).as(ownImage.toString()).isEqualTo("RESCUED");
        assertThat(diskTargets(domain(uuid))).containsExactly("vda", "vdb", "hdd");
        assertThat(call("unrescue", uuid, "{}").path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(dir.resolve("disk.rescue")).doesNotExist();
        call("delete", uuid, "{}");
    }
}

package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.HostAgent;
import dev.computeagent.agent.testing.TwoHostAgents;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * {@code resize} to another host with two real agents (separate JVMs), each on its own real libvirt host
 * ({@link TwoLibvirtHosts}), through the real RabbitMQ, with the tiny boot-sector guest: the instance ends
 * {@code RESIZED} on the destination with the new flavor in its libvirt definition and running there, nothing
 * of it defined on the source; {@code confirm_resize} (sent to the destination, its owner) leaves the source
 * clean; {@code revert_resize} brings it back on the source with its old flavor, running, and leaves nothing on
 * the destination.
 */
class ResizeToAnotherHostTwoLibvirtHostsRabbitMqTest {

    @RegisterExtension
    static final TwoLibvirtHosts HOSTS = new TwoLibvirtHosts();

    private static final Pattern TICK = Pattern.compile("TICK (\\d+)");
    private static final Pattern VCPUS = Pattern.compile("<vcpu[^>]*>(\\d+)</vcpu>");
    private static final Pattern MEMORY_KIB = Pattern.compile("<memory unit='KiB'>(\\d+)</memory>");
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final String OLD = "{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0}";
    private static final String NEW = "{\"vcpus\":2,\"memory_mb\":96,\"root_gb\":1,\"ephemeral_gb\":1}";

    private static TwoHostAgents agents;
    private static HostAgent a;
    private static HostAgent b;

    @BeforeAll
    static void startAgents() throws Exception {
        agents = TwoHostAgents.on(HOSTS, "rsz", RUN)
                .image("tiny", TinyGuestImage.write(HOSTS.a().dir().resolve("tiny-" + RUN + ".raw")))
                .start();
        a = agents.a();
        b = agents.b();
    }

    @AfterAll
    static void stopAgents() throws Exception {
        if (agents != null) {
            agents.close();
        }
    }

    @Test
    void resizeToHostBRunsItThereWithTheNewFlavorAndConfirmLeavesTheSourceClean() throws Exception {
        UUID uuid = spawnOnA("one");

        JsonNode resized = resizeToB(uuid, "resize1-" + RUN);

        assertThat(resized.path("payload").path("state").asString()).isEqualTo("RESIZED");
        assertThat(resized.path("payload").path("host").asString()).isEqualTo(b.host());
        assertThat(resized.path("payload").path("source").asString()).isEqualTo(a.host());
        assertThat(resized.path("payload").path("destination").asString()).isEqualTo(b.host());
        assertThat(a.client().eventNames("resize1-" + RUN)).containsExactly("instance.resize.start",
                "instance.resize.end");
        assertThat(a.client().events(j -> j.path("request_id").asString().equals("resize1-" + RUN)))
                .allSatisfy(r -> assertThat(r.json().path("payload").path("destination").asString()).isEqualTo(b.host()));
        String xml = dumpxml(HOSTS.b(), uuid);
        assertThat(number(VCPUS, xml)).as("vCPUs on b").isEqualTo(2);
        assertThat(number(MEMORY_KIB, xml)).as("memory on b").isEqualTo(96 * 1024);
        assertThat(domainState(HOSTS.b(), uuid)).isEqualTo("running");
        assertThat(domainState(HOSTS.a(), uuid)).as("never defined twice").isEqualTo("absent");
        assertThat(b.instance(uuid).path("state").asString()).isEqualTo("RESIZED");
        assertThat(a.instances()).doesNotContain(uuid.toString());
        assertThat(a.disk(uuid)).as("the source keeps the old disk").exists();
        awaitTick(b.consoleLog(uuid), 0);

        JsonNode confirmed = b.command(uuid, "confirm_resize", "confirm1-" + RUN, "{}");

        assertThat(confirmed.path("event").asString()).as(confirmed.toString()).isEqualTo("instance.confirm_resize.end");
        assertThat(confirmed.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(confirmed.path("payload").path("source").asString()).isEqualTo(a.host());
        assertThat(a.instanceDir(uuid)).as("the source's leftovers are gone").doesNotExist();
        assertThat(domainState(HOSTS.a(), uuid)).isEqualTo("absent");
        assertThat(number(VCPUS, dumpxml(HOSTS.b(), uuid))).isEqualTo(2);
        assertThat(b.instance(uuid).path("state").asString()).isEqualTo("ACTIVE");
    }

    @Test
    void revertBringsItBackOnTheSourceActiveWithTheOldFlavorAndNothingStaysOnB() throws Exception {
        UUID uuid = spawnOnA("two");
        resizeToB(uuid, "resize2-" + RUN);
        long before = Files.size(a.consoleLog(uuid));

        JsonNode reverted = b.command(uuid, "revert_resize", "revert2-" + RUN, "{}");

        assertThat(reverted.path("event").asString()).as(reverted.toString()).isEqualTo("instance.revert_resize.end");
        assertThat(reverted.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(reverted.path("payload").path("host").asString()).isEqualTo(a.host());
        String xml = dumpxml(HOSTS.a(), uuid);
        assertThat(number(VCPUS, xml)).as("vCPUs back on a").isEqualTo(1);
        assertThat(number(MEMORY_KIB, xml)).as("memory back on a").isEqualTo(64 * 1024);
        assertThat(domainState(HOSTS.a(), uuid)).isEqualTo("running");
        assertThat(a.instance(uuid).path("state").asString()).isEqualTo("ACTIVE");
        assertThat(domainState(HOSTS.b(), uuid)).as("nothing defined on b").isEqualTo("absent");
        assertThat(b.instanceDir(uuid)).as("nothing kept on b").doesNotExist();
        assertThat(b.instances()).doesNotContain(uuid.toString());
        awaitTick(a.consoleLog(uuid), before);
    }

    private static UUID spawnOnA(String name) throws Exception {
        UUID uuid = UUID.randomUUID();
        JsonNode spawned = a.command(uuid, "spawn", "spawn-" + name + "-" + RUN, "{\"name\":\"" + name
                + "\",\"flavor\":" + OLD + ",\"image_id\":\"tiny\"}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        awaitTick(a.consoleLog(uuid), 0);
        return uuid;
    }

    /** The tiny guest ignores ACPI: {@code timeout_s} 0 forces it off at once. */
    private static JsonNode resizeToB(UUID uuid, String requestId) throws Exception {
        JsonNode resized = a.command(uuid, "resize", requestId, "{\"flavor\":" + NEW + ",\"timeout_s\":0,"
                + "\"destination\":\"" + b.host() + "\"}", Duration.ofMinutes(3));
        assertThat(resized.path("event").asString()).as(resized.toString()).isEqualTo("instance.resize.end");
        return resized;
    }

    private static String dumpxml(TwoLibvirtHosts.Host host, UUID uuid) {
        TwoLibvirtHosts.ExecResult xml = HOSTS.exec(host, Duration.ofSeconds(30), "virsh", "dumpxml", "instance-" + uuid);
        assertThat(xml.succeeded()).as(xml.stderr()).isTrue();
        return xml.stdout();
    }

    private static String domainState(TwoLibvirtHosts.Host host, UUID uuid) {
        TwoLibvirtHosts.ExecResult state = HOSTS.exec(host, Duration.ofSeconds(30), "virsh", "-q", "domstate",
                "instance-" + uuid);
        return state.succeeded() ? state.stdout().trim() : "absent";
    }

    private static int number(Pattern pattern, String xml) {
        Matcher m = pattern.matcher(xml);
        assertThat(m.find()).as(pattern + " in " + xml).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Waits until the guest writes a tick after the first {@code from} characters of its log: it runs. */
    private static void awaitTick(Path log, long from) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String text = readQuietly(log);
            return text.length() > from && TICK.matcher(text.substring((int) from)).find();
        });
    }

    private static String readQuietly(Path log) {
        if (!Files.exists(log)) {
            return "";
        }
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}

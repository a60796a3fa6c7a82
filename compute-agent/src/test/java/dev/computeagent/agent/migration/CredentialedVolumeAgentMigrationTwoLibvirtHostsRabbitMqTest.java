package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.HostAgent;
import dev.computeagent.agent.testing.TestKeys;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.migration.DestinationVolume;
import dev.computeagent.virt.testing.IscsiTarget;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Issue 15 through the AMQP contract: two real agents (separate JVMs) on two real libvirt hosts
 * ({@link TwoLibvirtHosts}) and the real RabbitMQ live-migrate one guest with an iSCSI volume behind CHAP,
 * served by a real tgtd ({@link IscsiTarget}) on this machine's address on the hosts' LAN, with a second CHAP
 * account for the destination. In order, on the same guest: without the destination's {@code connection_info}
 * the move is refused and nothing moved; with a wrong destination password it fails, the guest stays and b
 * keeps no secret; with the right one it moves, opened by b's account and secret, and a keeps none. No
 * password appears in any event, reply or agent log.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CredentialedVolumeAgentMigrationTwoLibvirtHostsRabbitMqTest {

    @RegisterExtension
    static final TwoLibvirtHosts HOSTS = new TwoLibvirtHosts();

    private static final Pattern TICK = Pattern.compile("TICK (\\d+)");
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final UUID INSTANCE = UUID.randomUUID();
    private static final String SOURCE_PASSWORD = "chap-A-pass-" + RUN;
    private static final String DESTINATION_USER = "compute-agent-b";
    private static final String DESTINATION_PASSWORD = "chap-B-pass-" + RUN;
    private static final long LUN_BYTES = 16L << 20;

    private static GlanceStubServer glance;
    private static IscsiTarget target;
    private static Path targetDir;
    private static HostAgent a;
    private static HostAgent b;

    @BeforeAll
    static void startTargetAndAgents() throws Exception {
        Prerequisites.requireQemuImg();
        IscsiTarget.require();
        glance = GlanceStubServer.start();
        glance.addImage("tiny", TinyGuestImage.write(HOSTS.a().dir().resolve("tiny-" + RUN + ".raw")));
        targetDir = Files.createTempDirectory("ca-credvol-agent-");
        target = IscsiTarget.start(targetDir, LUN_BYTES, SOURCE_PASSWORD, HOSTS.rootIp());
        target.addAccount(DESTINATION_USER, DESTINATION_PASSWORD);
        run("qemu-io", "-f", "raw", "-c", "write -q -P 0x5a 0 16m", target.lunFile().toString());
        Path keys = TestKeys.writeKeyDir(HOSTS.a().dir().resolve("keys-" + RUN));
        a = HostAgent.start(HOSTS.a(), "credvol-a-" + RUN, HOSTS.a().dir().resolve("agent-state-" + RUN),
                glance.url(), Map.of("agent.internal-auth.keys-dir", keys.toString()));
        b = HostAgent.start(HOSTS.b(), "credvol-b-" + RUN, HOSTS.b().dir().resolve("agent-state-" + RUN),
                glance.url(), Map.of("agent.internal-auth.keys-dir", keys.toString()));
        a.awaitConsuming(Duration.ofSeconds(90));
        b.awaitConsuming(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() throws Exception {
        for (HostAgent agent : new HostAgent[] {a, b}) {
            if (agent != null) {
                agent.stop(); // the harness removes the hosts, their domains and secrets afterwards
            }
        }
        if (target != null) {
            target.close();
        }
        if (glance != null) {
            glance.close();
        }
        if (targetDir != null) {
            run("rm", "-rf", targetDir.toString());
        }
    }

    @Test
    @Order(1)
    void withoutTheDestinationsConnectionTheMoveIsRefusedAndNothingMoves() throws Exception {
        JsonNode spawned = a.command(INSTANCE, "spawn", "spawn-" + RUN, "{\"name\":\"credvol\",\"flavor\":{"
                + "\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\"}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        awaitTick(a.consoleLog(INSTANCE), 1);
        JsonNode attached = a.command(INSTANCE, "attach_volume", "attach-" + RUN, "{\"volume_id\":\"vol-1\","
                + "\"device\":\"vdb\",\"connection_info\":" + chap(IscsiTarget.USER, SOURCE_PASSWORD) + "}");
        assertThat(attached.path("event").asString()).as(attached.toString()).isEqualTo("instance.attach_volume.end");
        assertThat(target.initiatorAddresses()).containsExactly(HOSTS.a().ip());

        JsonNode refused = a.command(INSTANCE, "migrate", "migrate1-" + RUN, "{\"destination\":\"" + b.host() + "\"}");

        assertThat(refused.path("event").asString()).as(refused.toString()).isEqualTo("instance.migrate.error");
        assertThat(refused.path("error").path("code").asString()).isEqualTo("MIGRATION_FAILED");
        assertThat(refused.path("error").path("message").asString()).contains("vdb").contains("volumes");
        assertStaysOnA();
    }

    @Test
    @Order(2)
    void aWrongDestinationPasswordFailsTheMoveTheGuestStaysAndBKeepsNoSecret() throws Exception {
        JsonNode failed = a.command(INSTANCE, "migrate", "migrate2-" + RUN, "{\"destination\":\"" + b.host()
                + "\",\"volumes\":[{\"volume_id\":\"vol-1\",\"connection_info\":"
                + chap(DESTINATION_USER, "wrong-" + DESTINATION_PASSWORD) + "}]}");

        assertThat(failed.path("event").asString()).as(failed.toString()).isEqualTo("instance.migrate.error");
        assertThat(failed.path("error").path("code").asString()).isEqualTo("MIGRATION_FAILED");
        assertStaysOnA();
    }

    @Test
    @Order(3)
    void withTheDestinationsConnectionTheVolumeMovesOpenedWithBsOwnSecret() throws Exception {
        int before = lastTick(a.consoleLog(INSTANCE));
        UUID secretOnB = DestinationVolume.secretOn(b.host(), INSTANCE, "vol-1");

        JsonNode moved = a.command(INSTANCE, "migrate", "migrate3-" + RUN, "{\"destination\":\"" + b.host()
                + "\",\"volumes\":[{\"volume_id\":\"vol-1\",\"connection_info\":"
                + chap(DESTINATION_USER, DESTINATION_PASSWORD) + "}]}");

        assertThat(moved.path("event").asString()).as(moved.toString()).isEqualTo("instance.migrate.end");
        assertThat(b.instances()).contains(INSTANCE.toString());
        assertThat(a.instances()).doesNotContain(INSTANCE.toString());
        assertThat(awaitTick(b.consoleLog(INSTANCE), before + 1)).as("the counter continued there")
                .isGreaterThan(before);
        String xml = virsh(HOSTS.b(), "dumpxml", "--security-info", "instance-" + INSTANCE);
        assertThat(xml).as("b's guest opens the volume with b's account and secret")
                .contains("dev='vdb'", secretOnB.toString(), DESTINATION_USER)
                .doesNotContain(SOURCE_PASSWORD, DESTINATION_PASSWORD);
        assertThat(virsh(HOSTS.b(), "secret-list")).contains(secretOnB.toString());
        assertThat(virsh(HOSTS.a(), "secret-list")).as("a keeps no secret of the instance")
                .doesNotContain(INSTANCE.toString());
        assertThat(virsh(HOSTS.a(), "list", "--all", "--name")).doesNotContain(INSTANCE.toString());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(target.initiatorAddresses())
                .as("only b's QEMU is logged in").containsExactly(HOSTS.b().ip()));

        JsonNode deleted = b.command(INSTANCE, "delete", "delete-" + RUN, "{}");
        assertThat(deleted.path("event").asString()).as(deleted.toString()).isEqualTo("instance.delete.end");
        assertThat(virsh(HOSTS.b(), "secret-list")).as("deleting removes b's secret")
                .doesNotContain(secretOnB.toString());
        run("qemu-io", "-r", "-U", "-f", "raw", "-c", "read -q -P 0x5a 0 16m", target.lunFile().toString());
        assertNoPasswordLeaked();
    }

    /** The guest runs on a with its volume and a's secret; b has neither the instance nor a secret of it. */
    private static void assertStaysOnA() throws Exception {
        assertThat(a.instance(INSTANCE).path("state").asString()).isEqualTo("ACTIVE");
        assertThat(b.instances()).doesNotContain(INSTANCE.toString());
        assertThat(virsh(HOSTS.b(), "list", "--all", "--name")).doesNotContain(INSTANCE.toString());
        assertThat(virsh(HOSTS.b(), "secret-list")).as("b keeps no secret of the instance")
                .doesNotContain(INSTANCE.toString());
        assertThat(virsh(HOSTS.a(), "secret-list")).as("a's guest still uses its secret").contains(INSTANCE.toString());
        assertThat(virsh(HOSTS.a(), "domblklist", "instance-" + INSTANCE)).contains("vdb");
        assertThat(target.initiatorAddresses()).containsExactly(HOSTS.a().ip());
        int now = lastTick(a.consoleLog(INSTANCE));
        assertThat(awaitTick(a.consoleLog(INSTANCE), now + 1)).as("it keeps running on a").isGreaterThan(now);
    }

    private static void assertNoPasswordLeaked() throws IOException {
        List<String> seen = new ArrayList<>();
        for (HostAgent agent : List.of(a, b)) {
            agent.client().events().forEach(e -> seen.add(new String(e.body(), StandardCharsets.UTF_8)));
            seen.add(agent.process().log());
        }
        for (String requestId : List.of("attach-", "migrate1-", "migrate2-", "migrate3-", "delete-")) {
            for (HostAgent agent : List.of(a, b)) {
                agent.client().reply(requestId + RUN).ifPresent(r -> seen.add(new String(r.body(),
                        StandardCharsets.UTF_8)));
            }
        }
        assertThat(seen).isNotEmpty();
        assertThat(String.join("\n", seen)).as("events, replies and agent logs")
                .doesNotContain(SOURCE_PASSWORD).doesNotContain(DESTINATION_PASSWORD);
    }

    private static String chap(String user, String password) {
        return "{\"driver_volume_type\":\"iscsi\",\"data\":{\"target_portal\":\"" + target.address() + ":"
                + target.port() + "\",\"target_iqn\":\"" + IscsiTarget.IQN + "\",\"target_lun\":1,"
                + "\"auth_method\":\"CHAP\",\"auth_username\":\"" + user + "\",\"auth_password\":\"" + password + "\"}}";
    }

    private static String virsh(TwoLibvirtHosts.Host host, String... args) {
        return HOSTS.virsh(host, args);
    }

    private static void run(String... command) throws IOException {
        ProcessResult result = Commands.run(Duration.ofSeconds(30), List.of(command));
        assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result.stderr()).isZero();
        assertThat(result.stdout()).doesNotContain("Pattern verification failed");
    }

    private static int awaitTick(Path log, int atLeast) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> lastTick(log), tick -> tick >= atLeast);
    }

    private static int lastTick(Path log) throws IOException {
        if (!Files.exists(log)) {
            return -1;
        }
        Matcher m = TICK.matcher(Files.readString(log));
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }
}

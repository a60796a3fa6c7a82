package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.agent.testing.HostAgent;
import dev.computeagent.agent.testing.TestKeys;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.libvirt.domain.AgentMetadata;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Two real agents (separate JVMs), each on its own real libvirt host (the project's
 * {@link TwoLibvirtHosts} harness), talking through the real RabbitMQ: {@code migrate} there and back
 * with the disk copied (block migration, state directories at different paths) and the config drive
 * installed by prepare, the guest's serial counter continuing without a reboot, ownership following the
 * instance in the agents' REST views; cold migration over shared storage and with the disks (root and
 * ephemeral) copied; a migration to a host no agent serves
 * ending in a clean {@code MIGRATION_FAILED}; and one slowed (bandwidth limit) past its completion
 * timeout ending in {@code TIMEOUT} with the guest still running on the source; a shared file volume moving in
 * place, and the source's security groups' filter removed after the move.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentMigrationTwoLibvirtHostsRabbitMqTest {

    @RegisterExtension
    static final TwoLibvirtHosts HOSTS = new TwoLibvirtHosts();

    private static final Pattern TICK = Pattern.compile("TICK (\\d+)");
    private static final String BOOTED = "COMPUTE-AGENT-GUEST-BOOTED";
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final UUID INSTANCE = UUID.randomUUID();
    private static final long BANDWIDTH_MIB_S = 16;

    private static GlanceStubServer glance;
    private static GlanceStubServer.StubImage withdrawn;
    private static HostAgent a;
    private static HostAgent b;
    /** A second pair whose state directory (so instance directory) is one both hosts share. */
    private static HostAgent sharedA;
    private static HostAgent sharedB;

    @BeforeAll
    static void startAgents() throws Exception {
        Prerequisites.requireQemuImg();
        glance = GlanceStubServer.start();
        Path image = HOSTS.a().dir().resolve("tiny-" + RUN + ".raw");
        glance.addImage("tiny", TinyGuestImage.write(image));
        withdrawn = glance.addImage("withdrawn", image);
        // a's migrations are limited to 16 MiB/s: a tiny guest's memory still moves in well under a second,
        // a disk of 64 MiB written takes 4 s to copy, beyond a completion timeout of 1 s
        // agent-to-agent commands are signed with the key every agent shares: a and b read it from a key
        // directory (a mounted Secret), the shared pair from the inline property
        Path keys = TestKeys.writeKeyDir(HOSTS.a().dir().resolve("keys-" + RUN));
        a = start(HOSTS.a(), "mig-", HOSTS.a().dir().resolve("agent-state-" + RUN),
                Map.of("agent.libvirt.migration-bandwidth", Long.toString(BANDWIDTH_MIB_S),
                        "agent.internal-auth.keys-dir", keys.toString()));
        b = start(HOSTS.b(), "mig-", HOSTS.b().dir().resolve("agent-state-" + RUN),
                Map.of("agent.internal-auth.keys-dir", keys.toString()));
        Path shared = HOSTS.sharedDir().resolve("agent-state-" + RUN);
        sharedA = start(HOSTS.a(), "shared-", shared, TestKeys.agentProperties());
        sharedB = start(HOSTS.b(), "shared-", shared, TestKeys.agentProperties());
        for (HostAgent agent : List.of(a, b, sharedA, sharedB)) {
            agent.awaitConsuming(Duration.ofSeconds(90));
        }
    }

    private static HostAgent start(TwoLibvirtHosts.Host host, String prefix, Path stateDir, Map<String, String> extra)
            throws Exception {
        return HostAgent.start(host, prefix + host.name() + "-" + RUN, stateDir, glance.url(), extra);
    }

    @AfterAll
    static void stopAgents() throws Exception {
        for (HostAgent agent : new HostAgent[] {a, b, sharedA, sharedB}) {
            if (agent != null) {
                // the harness removes the hosts (and their domains) afterwards
                agent.stop();
            }
        }
        if (glance != null) {
            glance.close();
        }
    }

    @Test
    @Order(1)
    void blockMigrationThereAndBackKeepsTheGuestRunningAndMovesOwnership() throws Exception {
        // user data: its config drive is read-only, which libvirt does not mirror; prepare must bring it
        JsonNode spawned = a.command(INSTANCE, "spawn", "spawn-" + RUN, "{\"name\":\"mig\",\"flavor\":{\"vcpus\":1,"
                + "\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\",\"user_data\":\"I2Nsb3VkLWNvbmZpZwo=\"}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        byte[] configDrive = Files.readAllBytes(configDrive(a, INSTANCE));
        awaitTick(a.consoleLog(INSTANCE), 1);
        int beforeThere = lastTick(a.consoleLog(INSTANCE));

        JsonNode there = a.command(INSTANCE, "migrate", "there-" + RUN, "{\"destination\":\"" + b.host() + "\"}");

        assertThat(there.path("event").asString()).as(there.toString()).isEqualTo("instance.migrate.end");
        assertThat(there.path("payload").path("destination").asString()).isEqualTo(b.host());
        assertThat(there.path("payload").path("host").asString()).isEqualTo(b.host());
        assertThat(a.client().eventNames("there-" + RUN)).containsExactly("instance.migrate.start",
                "instance.migrate.end");
        assertThat(a.client().events(j -> j.path("event").asString().startsWith("instance.migrate."))
                .stream().map(r -> r.json().path("payload").path("destination").asString()))
                .containsOnly(b.host());
        assertThat(b.instances()).contains(INSTANCE.toString());
        assertThat(a.instances()).doesNotContain(INSTANCE.toString());
        assertThat(a.stateDir().resolve("instances").resolve(INSTANCE.toString())).doesNotExist();
        assertThat(configDrive(b, INSTANCE)).as("the config drive arrived").hasBinaryContent(configDrive);
        assertThat(awaitTick(b.consoleLog(INSTANCE), beforeThere + 1)).as("the counter continued")
                .isGreaterThan(beforeThere);
        assertThat(Files.readString(b.consoleLog(INSTANCE))).as("no reboot on the destination").doesNotContain(BOOTED);
        int beforeBack = lastTick(b.consoleLog(INSTANCE));

        JsonNode back = b.command(INSTANCE, "migrate", "back-" + RUN, "{\"destination\":\"" + a.host() + "\"}");

        assertThat(back.path("event").asString()).as(back.toString()).isEqualTo("instance.migrate.end");
        assertThat(a.instances()).contains(INSTANCE.toString());
        assertThat(b.instances()).doesNotContain(INSTANCE.toString());
        assertThat(awaitTick(a.consoleLog(INSTANCE), beforeBack + 1)).isGreaterThan(beforeBack);
        assertThat(Files.readString(a.consoleLog(INSTANCE))).doesNotContain(BOOTED);
        assertThat(powerUpdates()).as("the migrations are not reported as out-of-band changes").isEmpty();
        // the check within the prepare: storage not shared, so nothing prepared by the first, then the copy's
        assertThat(b.client().eventNames("there-" + RUN + ".prepare")).as("the check within the prepare")
                .contains("instance.migration.prepare.end");
        assertThat(b.client().eventNames("there-" + RUN + ".check")).as("no separate check").isEmpty();
        assertThat(b.client().eventNames("there-" + RUN + ".prepare-again")).as("prepared again for the copy")
                .contains("instance.migration.prepare.end");
        assertThat(b.client().events(j -> j.path("request_id").asString().equals("there-" + RUN + ".prepare")
                && j.path("event").asString().equals("instance.migration.prepare.end")))
                .as("the destination's check answer, as published on compute.events").isNotEmpty()
                .allSatisfy(r -> {
                    assertThat(r.json().path("payload").path("shared_storage").asBoolean(true)).isFalse();
                    assertThat(r.json().path("payload").path("prepared").asBoolean(true)).isFalse();
                    assertThat(new String(r.body(), StandardCharsets.UTF_8))
                            .doesNotContain("state_dir").doesNotContain(b.stateDir().toString());
                });
    }

    @Test
    @Order(2)
    void aDestinationNoAgentServesFailsCleanlyAndTheInstanceStaysActive() throws Exception {
        long started = System.nanoTime();

        JsonNode failed = a.command(INSTANCE, "migrate", "nowhere-" + RUN,
                "{\"destination\":\"no-such-agent-" + RUN + "\"}");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(failed.path("event").asString()).isEqualTo("instance.migrate.error");
        assertThat(failed.path("error").path("code").asString()).isEqualTo("MIGRATION_FAILED");
        assertThat(failed.path("error").path("message").asString()).contains("step prepare");
        assertThat(failed.path("payload").path("destination").asString()).isEqualTo("no-such-agent-" + RUN);
        assertThat(failed.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(a.instances()).contains(INSTANCE.toString()).contains("\"ACTIVE\"");
        int before = lastTick(a.consoleLog(INSTANCE));
        awaitTick(a.consoleLog(INSTANCE), before + 1);
    }

    @Test
    @Order(3)
    void aDestinationWithoutTheImageRefusesAtPrepareAndKeepsNothing() throws Exception {
        UUID second = UUID.randomUUID();
        JsonNode spawned = a.command(second, "spawn", "spawn2-" + RUN, "{\"name\":\"mig2\",\"flavor\":{\"vcpus\":1,"
                + "\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"withdrawn\"}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        withdrawn.status("deactivated");

        JsonNode failed = a.command(second, "migrate", "refused-" + RUN, "{\"destination\":\"" + b.host() + "\"}");

        assertThat(failed.path("event").asString()).isEqualTo("instance.migrate.error");
        assertThat(failed.path("error").path("code").asString()).isEqualTo("MIGRATION_FAILED");
        assertThat(failed.path("error").path("message").asString()).contains("step prepare").contains("IMAGE_NOT_FOUND");
        assertThat(failed.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(b.client().eventNames("refused-" + RUN + ".abort")).contains("instance.migration.abort.end");
        assertThat(b.stateDir().resolve("instances").resolve(second.toString())).doesNotExist();
        assertThat(b.instances()).doesNotContain(second.toString());
        assertThat(a.instances()).contains(second.toString());
        awaitTick(a.consoleLog(second), lastTick(a.consoleLog(second)) + 1);
    }

    @Test
    @Order(4)
    void coldMigrationOverSharedStorageMovesAStoppedInstanceAndLiveMigrationBringsItBack() throws Exception {
        UUID third = UUID.randomUUID();
        Path console = sharedA.consoleLog(third);
        JsonNode spawned = sharedA.command(third, "spawn", "spawn3-" + RUN, "{\"name\":\"mig3\",\"flavor\":{"
                + "\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\"}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        awaitTick(console, 1);
        // stopped first: the tiny guest ignores ACPI, a running one would wait out the 60 s graceful stop
        JsonNode stopped = sharedA.command(third, "stop", "stop3-" + RUN, "{\"timeout_s\":0}");
        assertThat(stopped.path("event").asString()).as(stopped.toString()).isEqualTo("instance.stop.end");

        JsonNode cold = sharedA.command(third, "migrate", "cold-" + RUN,
                "{\"destination\":\"" + sharedB.host() + "\",\"live\":false}");

        assertThat(cold.path("event").asString()).as(cold.toString()).isEqualTo("instance.migrate.end");
        assertThat(cold.path("payload").path("host").asString()).isEqualTo(sharedB.host());
        assertThat(cold.path("payload").path("state").asString()).isEqualTo("STOPPED");
        assertThat(sharedB.instances()).contains(third.toString());
        assertThat(sharedA.instances()).doesNotContain(third.toString());
        assertThat(console).as("the shared disk and directory stay").exists();
        JsonNode started = sharedB.command(third, "start", "start3-" + RUN, "{}");
        assertThat(started.path("event").asString()).as(started.toString()).isEqualTo("instance.start.end");
        await().atMost(Duration.ofSeconds(30)).until(() -> boots(console) == 2);

        Assumptions.assumeTrue(HOSTS.sharedStorageRecognised(),
                "libvirt does not recognise the shared directory as shared storage here (no bindfs)");
        awaitTick(console, 1);
        int before = lastTick(console);

        JsonNode live = sharedB.command(third, "migrate", "liveback-" + RUN,
                "{\"destination\":\"" + sharedA.host() + "\"}");

        assertThat(live.path("event").asString()).as(live.toString()).isEqualTo("instance.migrate.end");
        assertThat(sharedA.instances()).contains(third.toString());
        assertThat(sharedB.instances()).doesNotContain(third.toString());
        assertThat(awaitTick(console, before + 1)).isGreaterThan(before);
        assertThat(boots(console)).as("no reboot in a live migration").isEqualTo(2);
    }

    @Test
    @Order(5)
    void coldMigrationWithoutSharedStorageCopiesTheDisksThereStoppedAndBackRunning() throws Exception {
        UUID fourth = UUID.randomUUID();
        JsonNode spawned = a.command(fourth, "spawn", "spawn4-" + RUN, "{\"name\":\"mig4\",\"flavor\":{"
                + "\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0,\"ephemeral_gb\":1},\"image_id\":\"tiny\"}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        awaitTick(a.consoleLog(fourth), 1);
        JsonNode stopped = a.command(fourth, "stop", "stop4-" + RUN, "{\"timeout_s\":0}");
        assertThat(stopped.path("event").asString()).as(stopped.toString()).isEqualTo("instance.stop.end");
        // data only a's overlay holds: it must arrive in b's own overlay
        qemuIo("write -q -P 0x3e 128k 64k", a.disk(fourth), false);
        qemuIo("write -q -P 0x4f 1m 64k", ephemeral(a, fourth), false);

        JsonNode there = a.command(fourth, "migrate", "cold4-" + RUN,
                "{\"destination\":\"" + b.host() + "\",\"live\":false}");

        assertThat(there.path("event").asString()).as(there.toString()).isEqualTo("instance.migrate.end");
        assertThat(there.path("payload").path("host").asString()).isEqualTo(b.host());
        assertThat(there.path("payload").path("state").asString()).isEqualTo("STOPPED");
        assertThat(b.instances()).contains(fourth.toString());
        assertThat(a.instances()).doesNotContain(fourth.toString());
        assertThat(a.stateDir().resolve("instances").resolve(fourth.toString())).doesNotExist();
        assertThat(boots(b.consoleLog(fourth))).as("the guest did not run during the copy").isZero();
        qemuIo("read -q -P 0x3e 128k 64k", b.disk(fourth), true);
        qemuIo("read -q -P 0x4f 1m 64k", ephemeral(b, fourth), true);
        JsonNode started = b.command(fourth, "start", "start4-" + RUN, "{}");
        assertThat(started.path("event").asString()).as(started.toString()).isEqualTo("instance.start.end");
        awaitTick(b.consoleLog(fourth), 1);

        JsonNode back = b.command(fourth, "migrate", "cold4back-" + RUN,
                "{\"destination\":\"" + a.host() + "\",\"live\":false,\"stop_timeout_s\":0}");

        assertThat(back.path("event").asString()).as(back.toString()).isEqualTo("instance.migrate.end");
        assertThat(back.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(a.instances()).contains(fourth.toString());
        assertThat(b.instances()).doesNotContain(fourth.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> boots(a.consoleLog(fourth)) == 1);
        awaitTick(a.consoleLog(fourth), 1);
        qemuIo("read -q -P 0x3e 128k 64k", a.disk(fourth), true);
        qemuIo("read -q -P 0x4f 1m 64k", ephemeral(a, fourth), true);
        assertThat(powerUpdates()).as("the migrations are not reported as out-of-band changes").isEmpty();
    }

    @Test
    @Order(6)
    void aMigrationSlowerThanItsCompletionTimeoutIsAbortedAndTheInstanceKeepsRunningHere() throws Exception {
        UUID fifth = UUID.randomUUID();
        JsonNode spawned = a.command(fifth, "spawn", "spawn5-" + RUN, "{\"name\":\"mig5\",\"flavor\":{"
                + "\"vcpus\":1,\"memory_mb\":64,\"root_gb\":1},\"image_id\":\"tiny\"}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        JsonNode stopped = a.command(fifth, "stop", "stop5-" + RUN, "{\"timeout_s\":0}");
        assertThat(stopped.path("event").asString()).as(stopped.toString()).isEqualTo("instance.stop.end");
        qemuIo("write -q -P 0x11 1m " + 4 * BANDWIDTH_MIB_S + "m", a.disk(fifth), false);
        JsonNode started = a.command(fifth, "start", "start5-" + RUN, "{}");
        assertThat(started.path("event").asString()).as(started.toString()).isEqualTo("instance.start.end");
        awaitTick(a.consoleLog(fifth), 1);
        // virtlogd appends: the spawn's boot may be in the log too (when it printed before the stop)
        int bootsBefore = boots(a.consoleLog(fifth));
        long begun = System.nanoTime();

        JsonNode failed = a.command(fifth, "migrate", "slow-" + RUN,
                "{\"destination\":\"" + b.host() + "\",\"completion_timeout_s\":1}");

        assertThat(failed.path("event").asString()).as(failed.toString()).isEqualTo("instance.migrate.error");
        assertThat(failed.path("error").path("code").asString()).as(failed.toString()).isEqualTo("TIMEOUT");
        assertThat(failed.path("error").path("message").asString()).contains("step monitor").contains("timed out");
        assertThat(failed.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(Duration.ofNanos(System.nanoTime() - begun)).as("aborted, not copied to the end")
                .isLessThan(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(b.client().eventNames("slow-" + RUN
                + ".abort")).contains("instance.migration.abort.end"));
        assertThat(b.stateDir().resolve("instances").resolve(fifth.toString())).as("prepared overlay removed")
                .doesNotExist();
        assertThat(b.instances()).doesNotContain(fifth.toString());
        assertThat(a.instances()).contains(fifth.toString());
        int before = lastTick(a.consoleLog(fifth));
        awaitTick(a.consoleLog(fifth), before + 1);
        assertThat(boots(a.consoleLog(fifth))).as("the guest ran on without a reboot").isEqualTo(bootsBefore);
    }

    /**
     * Issue 15: a shared file volume attached through the agent stays where it is (never written by the block
     * copy), is attached on the destination on the same device with its data, and the source's security groups'
     * filter is removed once the instance left (the destination's made by prepare).
     */
    @Test
    @Order(7)
    void aSharedFileVolumeMigratesInPlaceAndTheSourceFilterIsRemoved() throws Exception {
        UUID seventh = UUID.randomUUID();
        String filter = "ca-sg-" + seventh;
        JsonNode spawned = a.command(seventh, "spawn", "spawn7-" + RUN, "{\"name\":\"mig7\",\"flavor\":{"
                + "\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\",\"security_groups\":["
                + "{\"direction\":\"ingress\",\"protocol\":\"tcp\",\"port_range\":{\"min\":22,\"max\":22}}]}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        awaitTick(a.consoleLog(seventh), 1);
        assertThat(virsh(HOSTS.a(), "nwfilter-list")).contains(filter);
        Path volume = HOSTS.sharedDir().resolve("volume7-" + RUN + ".raw");
        run("qemu-img", "create", "-q", "-f", "raw", volume.toString(), "16M");
        run("qemu-io", "-f", "raw", "-c", "write -q -P 0x3c 0 16m", volume.toString());
        JsonNode attached = a.command(seventh, "attach_volume", "attach7-" + RUN, "{\"volume_id\":\"vol-7\","
                + "\"connection_info\":{\"driver_volume_type\":\"file\",\"data\":{\"path\":\"" + volume
                + "\",\"format\":\"raw\",\"shared\":true}}}");
        assertThat(attached.path("event").asString()).as(attached.toString()).isEqualTo("instance.attach_volume.end");
        String device = attached.path("payload").path("device").asString();
        FileTime written = Files.getLastModifiedTime(volume);
        int before = lastTick(a.consoleLog(seventh));

        JsonNode moved = a.command(seventh, "migrate", "migrate7-" + RUN, "{\"destination\":\"" + b.host() + "\"}");

        assertThat(moved.path("event").asString()).as(moved.toString()).isEqualTo("instance.migrate.end");
        assertThat(b.instances()).contains(seventh.toString());
        assertThat(awaitTick(b.consoleLog(seventh), before + 1)).as("the counter continued there").isGreaterThan(before);
        String xml = virsh(HOSTS.b(), "dumpxml", "instance-" + seventh);
        assertThat(xml).as("attached there on the same device, opened where it is").contains(volume.toString())
                .contains("dev='" + device + "'");
        assertThat(Files.getLastModifiedTime(volume)).as("the volume was not copied").isEqualTo(written);
        assertThat(virsh(HOSTS.b(), "nwfilter-list")).as("the destination's filter").contains(filter);
        assertThat(virsh(HOSTS.a(), "nwfilter-list")).as("the source's filter is gone").doesNotContain(filter);

        JsonNode deleted = b.command(seventh, "delete", "delete7-" + RUN, "{}");
        assertThat(deleted.path("event").asString()).as(deleted.toString()).isEqualTo("instance.delete.end");
        run("qemu-io", "-r", "-f", "raw", "-c", "read -q -P 0x3c 0 16m", volume.toString());
    }

    /**
     * The destination claims a live arrival once its libvirt runs it, without waiting for the source's adopt: here
     * the source's agent never adopts it (the hypervisors move the guest as the source's agent would have them, then
     * nothing comes), and the destination's agent owns the running instance all the same and tells the source so
     * ({@code instance.migration.arrived}, at the address and id its prepare gave); an adopt that comes anyway is
     * answered as ever. A delete sent to the source afterwards leaves the shared directory alone.
     */
    @Test
    @Order(8)
    void aLiveArrivalIsTheDestinationsOnceItRunsThereWithoutWaitingForTheAdopt() throws Exception {
        Assumptions.assumeTrue(HOSTS.sharedStorageRecognised(),
                "libvirt does not recognise the shared directory as shared storage here (no bindfs)");
        UUID eighth = UUID.randomUUID();
        String notice = "notice8-" + RUN;
        JsonNode spawned = sharedA.command(eighth, "spawn", "spawn8-" + RUN, "{\"name\":\"mig8\",\"flavor\":{"
                + "\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\"}");
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        Path console = sharedA.consoleLog(eighth);
        awaitTick(console, 1);
        JsonNode prepared = fromSharedA(eighth, "migration.prepare", "prepare8-" + RUN, "{\"source_host\":\""
                + sharedA.host() + "\",\"name\":\"mig8\",\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},"
                + "\"image_id\":\"tiny\",\"block_migration\":false,\"arrival_notice\":\"" + notice + "\"}");
        assertThat(prepared.path("event").asString()).as(prepared.toString())
                .isEqualTo("instance.migration.prepare.end");
        assertThat(sharedB.instances()).as("another host's until it arrives").doesNotContain(eighth.toString());
        int before = lastTick(console);

        virsh(HOSTS.a(), "migrate", "--live", "--p2p", "--persistent", "--undefinesource", "instance-" + eighth,
                HOSTS.b().tcpUri());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sharedB.instances())
                .contains(eighth.toString()));
        JsonNode there = sharedB.instance(eighth);
        assertThat(there.path("host").asString()).as(there.toString()).isEqualTo(sharedB.host());
        assertThat(there.path("state").asString()).as(there.toString()).isEqualTo("ACTIVE");
        assertThat(virsh(HOSTS.b(), "metadata", "instance-" + eighth, "--uri", AgentMetadata.NAMESPACE))
                .as("the claim is stored with the domain").contains(sharedB.host());
        assertThat(awaitTick(console, before + 1)).as("it runs on there").isGreaterThan(before);
        JsonNode arrived = sharedB.client().awaitReply(notice, Duration.ofSeconds(30)).json();
        assertThat(arrived.path("event").asString()).as(arrived.toString()).isEqualTo("instance.migration.arrived");
        assertThat(arrived.path("request_id").asString()).isEqualTo("prepare8-" + RUN);
        assertThat(arrived.path("payload").path("host").asString()).isEqualTo(sharedB.host());
        assertThat(arrived.path("payload").path("state").asString()).isEqualTo("ACTIVE");

        // a source that missed the notice adopts: answered as for an instance the destination owns
        JsonNode adopted = fromSharedA(eighth, "migration.adopt", "adopt8-" + RUN, "{\"source_host\":\""
                + sharedA.host() + "\",\"migrate_request_id\":\"migrate8-" + RUN + "\"}");

        assertThat(adopted.path("event").asString()).as(adopted.toString()).isEqualTo("instance.migration.adopt.end");
        assertThat(adopted.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        // a delete sent to the host it left (a controller's stale view) never takes the shared directory with it
        JsonNode stale = sharedA.command(eighth, "delete", "stale8-" + RUN, "{}");
        assertThat(stale.path("event").asString()).as(stale.toString()).isEqualTo("instance.delete.end");
        assertThat(sharedA.disk(eighth)).as("the disk b runs from").exists();
        int still = lastTick(console);
        assertThat(awaitTick(console, still + 1)).isGreaterThan(still);
        JsonNode deleted = sharedB.command(eighth, "delete", "delete8-" + RUN, "{}");
        assertThat(deleted.path("event").asString()).as(deleted.toString()).isEqualTo("instance.delete.end");
    }

    /** An agent-to-agent command to sharedB, signed as sharedA signs it; its reply. */
    private static JsonNode fromSharedA(UUID uuid, String command, String requestId, String args) throws Exception {
        sharedB.client().internalCommand(AmqpTestClient.envelope(command, requestId, uuid.toString(), args), requestId,
                sharedA.host(), TestKeys.signature());
        return sharedB.client().awaitReply(requestId, Duration.ofSeconds(60)).json();
    }

    private static String virsh(TwoLibvirtHosts.Host host, String... args) {
        return HOSTS.virsh(host, args);
    }

    private static void run(String... command) throws Exception {
        ProcessResult result = Commands.run(Duration.ofSeconds(30), List.of(command));
        assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result.stderr()).isZero();
        assertThat(result.stdout()).doesNotContain("Pattern verification failed");
    }

    private static Path ephemeral(HostAgent agent, UUID uuid) {
        return agent.stateDir().resolve("instances").resolve(uuid.toString()).resolve("disk.eph0");
    }

    private static Path configDrive(HostAgent agent, UUID uuid) {
        return agent.stateDir().resolve("instances").resolve(uuid.toString()).resolve("disk.config");
    }

    /** Runs qemu-io on an overlay ({@code -U}: shared with a running guest when reading). */
    private static void qemuIo(String op, Path disk, boolean readOnly) throws Exception {
        List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        if (readOnly) {
            command.addAll(List.of("-r", "-U"));
        }
        command.addAll(List.of("-c", op, disk.toString()));
        ProcessResult run = Commands.run(Duration.ofSeconds(30), command);
        String output = run.stdout() + "\n" + run.stderr();
        assertThat(run.exitCode()).as(String.join(" ", command) + ": " + output).isZero();
        assertThat(output).as("qemu-io %s", op).doesNotContain("Pattern verification failed");
    }

    private static int boots(Path log) throws IOException {
        String text = Files.exists(log) ? Files.readString(log) : "";
        int count = 0;
        for (int i = text.indexOf(BOOTED); i >= 0; i = text.indexOf(BOOTED, i + 1)) {
            count++;
        }
        return count;
    }

    private static List<JsonNode> powerUpdates() {
        List<JsonNode> updates = new ArrayList<>();
        for (HostAgent agent : List.of(a, b, sharedA, sharedB)) {
            agent.client().events(j -> j.path("event").asString().equals("instance.power_state.update"))
                    .forEach(r -> updates.add(r.json()));
        }
        return updates;
    }

    /** Waits until the log shows a tick of at least {@code atLeast}; returns the last tick. */
    private static int awaitTick(Path log, int atLeast) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> lastTick(log), t -> t >= atLeast);
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

package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.agent.testing.GuestAgentShell;
import dev.computeagent.agent.testing.HostAgent;
import dev.computeagent.agent.testing.TwoHostAgents;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.libvirt.testing.Virsh;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
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
 * A real Debian guest rewriting 256 MiB of its memory ({@code stress-ng}) between two real agents on two
 * real libvirt hosts sharing the instance directory, the source's migrations limited to 1 MiB/s so that
 * one lasts minutes whatever the machine's load; one boot, ordered steps: the running migration reports
 * its progress ({@code instance.migrate.progress}, never receding, with the guest's dirty rate, and on
 * REST) and {@code migrate_abort} cancels it, the guest still running on the source, unrebooted, and
 * nothing left on the destination.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationProgressAndAbortRealGuestTwoLibvirtHostsRabbitMqTest {

    @RegisterExtension
    static final TwoLibvirtHosts HOSTS = new TwoLibvirtHosts();

    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final BusyRealGuest GUEST = BusyRealGuest.rewriting(256);
    private static final UUID INSTANCE = GUEST.uuid();
    private static final long BANDWIDTH_MIB_S = 1;
    private static final int COMPLETION_TIMEOUT_S = 1800;
    private static final Duration COMMAND = Duration.ofMinutes(3);

    private static TwoHostAgents agents;
    private static HostAgent a;
    private static HostAgent b;
    private static String bootId;
    private static int stepsPassed;

    @BeforeAll
    static void startAgents() throws Exception {
        agents = TwoHostAgents.on(HOSTS, "abort", RUN).realGuest().sharedState()
                .onA("agent.libvirt.migration-bandwidth", Long.toString(BANDWIDTH_MIB_S))
                .onA("agent.migration.progress-interval", "1s")
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
    @Order(1)
    void theGuestBootsAndDirtiesItsMemory() throws Exception {
        continueAfterStep(0);
        bootId = GUEST.spawnBusy(a, HOSTS.a(), "spawn-" + RUN);
        stepsPassed = 1;
    }

    @Test
    @Order(2)
    void aRunningMigrationReportsProgressAndMigrateAbortCancelsItWithNothingLeftOnTheDestination()
            throws Exception {
        continueAfterStep(1);
        String migrate = "migrate-1-" + RUN;
        a.client().command(AmqpTestClient.envelope("migrate", migrate, INSTANCE.toString(), "{\"destination\":\""
                + b.host() + "\",\"completion_timeout_s\":" + COMPLETION_TIMEOUT_S + "}"), migrate);

        List<JsonNode> progress = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> progress(migrate), p -> p.size() >= 3);
        JsonNode shown = a.instance(INSTANCE).path("migration");

        assertThat(shown.path("destination").asString()).as(shown.toString()).isEqualTo(b.host());
        assertThat(shown.path("memory_total_bytes").asLong()).isGreaterThan(1L << 29);
        List<Integer> percents = progress.stream().map(p -> p.path("percent").asInt()).toList();
        assertThat(percents).as("never backwards").isSorted();
        assertThat(progress).allSatisfy(p -> assertThat(p.path("destination").asString()).isEqualTo(b.host()));
        assertThat(progress.get(progress.size() - 1).path("memory_processed_bytes").asLong())
                .as("the memory is on its way").isGreaterThan(progress.get(0).path("memory_processed_bytes").asLong());
        // QEMU measures the dirty rate from the second pass on; at 1 MiB/s the first takes minutes
        assertThat(progress).allSatisfy(p -> assertThat(p.path("dirty_rate_bytes_per_second").asLong())
                .isNotNegative());

        String abort = "abort-1-" + RUN;
        JsonNode aborted = a.command(INSTANCE, "migrate_abort", abort, "{}", COMMAND);

        assertThat(aborted.path("event").asString()).as(aborted.toString()).isEqualTo("instance.migrate_abort.end");
        assertThat(aborted.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(aborted.path("payload").path("cancelled_request_id").asString()).isEqualTo(migrate);
        JsonNode failed = a.client().awaitReply(migrate, COMMAND).json();
        assertThat(failed.path("event").asString()).as(failed.toString()).isEqualTo("instance.migrate.error");
        assertThat(failed.path("error").path("code").asString()).isEqualTo("MIGRATION_FAILED");
        assertThat(failed.path("error").path("message").asString()).contains("cancelled by migrate_abort " + abort);
        assertThat(Virsh.on(HOSTS.b().unixUri(), "list", "--all", "--name")).doesNotContain(INSTANCE.toString());
        assertThat(b.instances()).doesNotContain(INSTANCE.toString());
        assertThat(b.client().events(e -> (migrate + ".abort").equals(e.path("request_id").asString(null))
                && "instance.migration.abort.end".equals(e.path("event").asString())))
                .as("the destination was told to abort").isNotEmpty();
        JsonNode here = a.instance(INSTANCE);
        assertThat(here.path("state").asString()).isEqualTo("ACTIVE");
        assertThat(here.path("migration").isNull()).isTrue();
        GuestAgentShell guest = guestOn(HOSTS.a());
        assertThat(workloadRuns(guest)).as("the guest ran on throughout").isTrue();
        assertThat(guest.run("cat /proc/sys/kernel/random/boot_id").strip()).isEqualTo(bootId);
        stepsPassed = 2;
    }

    private static List<JsonNode> progress(String requestId) {
        return a.client().events(e -> "instance.migrate.progress".equals(e.path("event").asString())
                && requestId.equals(e.path("request_id").asString(null))).stream()
                .map(r -> r.json().path("payload")).toList();
    }

    private static boolean workloadRuns(GuestAgentShell guest) {
        return BusyRealGuest.workloadRuns(guest);
    }

    private static GuestAgentShell guestOn(TwoLibvirtHosts.Host host) {
        return GUEST.on(host);
    }

    private static void continueAfterStep(int step) {
        Assumptions.assumeTrue(stepsPassed == step, "step " + (stepsPassed + 1) + " failed");
    }
}

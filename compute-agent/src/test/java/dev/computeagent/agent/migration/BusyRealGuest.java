package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.GuestAgentShell;
import dev.computeagent.agent.testing.HostAgent;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * The real Debian guest of the busy-migration tests (1 vCPU, 1 GiB): spawned by an agent with a
 * {@code stress-ng} workload that rewrites {@code megabytes} MiB of its memory without pause, started by
 * cloud-init from the user data (or through the guest agent when cloud-init has not got there yet).
 */
record BusyRealGuest(UUID uuid, String workload) {

    /** Under TCG on a machine shared with other builds a boot to the guest agent takes up to several minutes. */
    static final Duration BOOT = Duration.ofMinutes(10);
    private static final Duration COMMAND = Duration.ofMinutes(3);

    static BusyRealGuest rewriting(int megabytes) {
        return new BusyRealGuest(UUID.randomUUID(),
                "stress-ng --vm 1 --vm-bytes " + megabytes + "M --vm-keep --vm-method write64");
    }

    String domain() {
        return "instance-" + uuid;
    }

    /** Spawns it on {@code agent}'s host and waits until the workload runs; returns the guest's boot id. */
    String spawnBusy(HostAgent agent, TwoLibvirtHosts.Host host, String requestId) throws Exception {
        String detached = "setsid -f " + workload + " </dev/null >/dev/null 2>&1";
        String userData = "#!/bin/sh\n" + detached + "\n";
        JsonNode spawned = agent.command(uuid, "spawn", requestId, "{\"name\":\"busy-guest\",\"flavor\":{"
                + "\"vcpus\":1,\"memory_mb\":1024,\"root_gb\":2},\"image_id\":\"debian-12\",\"user_data\":\""
                + Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)) + "\"}", COMMAND);
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        GuestAgentShell guest = on(host).awaitAnswering(BOOT);
        if (!workloadRuns(guest)) {
            // cloud-init has not got to the user data yet: start it now, detached, all output to /dev/null
            guest.run(detached);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> workloadRuns(guest));
        return bootId(guest);
    }

    GuestAgentShell on(TwoLibvirtHosts.Host host) {
        return new GuestAgentShell(host.unixUri(), uuid);
    }

    static String bootId(GuestAgentShell guest) {
        return guest.run("cat /proc/sys/kernel/random/boot_id").strip();
    }

    static boolean workloadRuns(GuestAgentShell guest) {
        // the process name (not the command line, which this shell's own contains)
        return !guest.run("pgrep -c stress-ng || true").strip().equals("0");
    }
}

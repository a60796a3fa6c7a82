package dev.computeagent.agent.bench;

import dev.computeagent.agent.testing.GuestAgentShell;
import dev.computeagent.agent.testing.HostAgent;
import dev.computeagent.agent.testing.TestKeys;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.testing.RealGuestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A busy guest moved three ways on the same workload (benchmarks/migration-busy.md; not run by the build):
 * the real Debian guest rewriting {@code workload} MiB ({@code stress-ng --vm-keep}) is live-migrated
 * between the two harness hosts with the same bandwidth limit by
 * <ul>
 *   <li><b>agent:</b> the {@code migrate} command, both agents with post-copy permitted (the escalation
 *       policy of docs/migration.md), and</li>
 *   <li><b>virsh-ac:</b> {@code virsh migrate --live --p2p --persistent --undefinesource --auto-converge}, and</li>
 *   <li><b>virsh-pc:</b> the same with {@code --postcopy --postcopy-after-precopy} instead,</li>
 * </ul>
 * each there and back per round (a virsh hop that does not finish within {@code timeout} is aborted with
 * {@code virsh domjobabort} and reported as such; its way back is then skipped). Total time is the wall
 * time around the command or the virsh process. The downtime is the source's completed-job statistic
 * {@code downtime}, taken the same way for every path from libvirt's job-completed event on the source
 * ({@code virsh event --event job-completed}, started before the hop: libvirt removes the source domain, and
 * its completed-job statistics, when the migration ends; after a post-copy hop the destination keeps none);
 * the agent's own figure ({@code downtime_ms} of {@code instance.migrate.end}, from the same event) is shown
 * beside it. At the end the guest must still run its workload, never rebooted.
 *
 * <p>Arguments ({@code key=value}): {@code rounds} (1), {@code bandwidth} MiB/s (4), {@code workload} MiB
 * (128), {@code postCopyAfter} seconds (20), {@code timeout} seconds per hop (300). Needs root, libvirtd,
 * bindfs, qemu-img, RabbitMQ on 127.0.0.1:5672 and the real guest image (RealGuestImage). Everything it
 * creates is removed at the end, also on failure.
 */
public final class BusyGuestMigrationBenchmark {

    private static final Duration BOOT = Duration.ofMinutes(10);
    private static final Duration COMMAND = Duration.ofMinutes(3);
    /** A {@code virsh event --event job-completed} line: {@code \tdowntime: 123}. */
    private static final Pattern EVENT_DOWNTIME = Pattern.compile("(?m)^\\s*downtime:\\s+(\\d+)\\s*$");

    private final TwoLibvirtHosts hosts;
    private final Map<String, String> opts;
    private final UUID uuid = UUID.randomUUID();
    private final String domain = "instance-" + uuid;
    private final List<String> rows = new ArrayList<>();
    private HostAgent owner;
    private HostAgent other;

    private BusyGuestMigrationBenchmark(TwoLibvirtHosts hosts, Map<String, String> opts) {
        this.hosts = hosts;
        this.opts = opts;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("rounds", "1", "bandwidth", "4", "workload", "128",
                "postCopyAfter", "20", "timeout", "300"));
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2 || !opts.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown argument " + arg + "; known: " + opts.keySet());
            }
            opts.put(kv[0], kv[1]);
        }
        System.out.printf("busy-guest migration benchmark %s, load average %s, options %s%n", Instant.now(),
                loadAverage(), opts);
        TwoLibvirtHosts hosts = new TwoLibvirtHosts();
        hosts.beforeAll(null);
        try {
            new BusyGuestMigrationBenchmark(hosts, opts).run();
        } finally {
            hosts.afterAll(null);
        }
        System.out.printf("done %s, load average %s%n", Instant.now(), loadAverage());
        System.exit(0);
    }

    private void run() throws Exception {
        String id = uuid.toString().substring(0, 6);
        Path shared = hosts.sharedDir().resolve("busy-bench-" + id);
        Map<String, String> policy = new HashMap<>(TestKeys.agentProperties());
        policy.put("agent.libvirt.virt-type", RealGuestImage.VIRT_TYPE);
        policy.put("agent.libvirt.migration-bandwidth", opts.get("bandwidth"));
        policy.put("agent.libvirt.migration-permit-post-copy", "true");
        policy.put("agent.libvirt.migration-post-copy-after", opts.get("postCopyAfter") + "s");
        try (GlanceStubServer glance = GlanceStubServer.start()) {
            glance.addImage("debian-12", RealGuestImage.path()).diskFormat("qcow2")
                    .property("hw_qemu_guest_agent", "yes");
            owner = HostAgent.start(hosts.a(), "busy-bench-a-" + id, shared, glance.url(), policy);
            other = HostAgent.start(hosts.b(), "busy-bench-b-" + id, shared, glance.url(), policy);
            try {
                owner.awaitConsuming(Duration.ofSeconds(90));
                other.awaitConsuming(Duration.ofSeconds(90));
                String bootId = bootBusyGuest();
                for (int round = 1; round <= Integer.parseInt(opts.get("rounds")); round++) {
                    agentHop(round);
                    agentHop(round);
                    // virsh leaves the owner in the domain's metadata as it was: each virsh path goes there and back
                    for (String path : List.of("virsh-ac", "virsh-pc")) {
                        if (virshHop(round, path, hostOf(owner), hostOf(other))) {
                            virshHop(round, path, hostOf(other), hostOf(owner));
                        }
                    }
                }
                GuestAgentShell guest = new GuestAgentShell(hostOf(owner).unixUri(), uuid);
                if (!bootId.equals(guest.run("cat /proc/sys/kernel/random/boot_id").strip())) {
                    throw new IllegalStateException("the guest rebooted during the benchmark");
                }
            } finally {
                owner.stop();
                other.stop();
                Commands.run(Duration.ofSeconds(30), "rm", "-rf", shared.toString());
            }
        }
        System.out.println("| path | round | from → to | result | total | downtime (libvirt job-completed event) "
                + "| downtime the agent reported |");
        System.out.println("|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private String bootBusyGuest() throws Exception {
        String workload = "stress-ng --vm 1 --vm-bytes " + opts.get("workload") + "M --vm-keep --vm-method write64";
        String userData = "#!/bin/sh\nsetsid -f " + workload + " </dev/null >/dev/null 2>&1\n";
        JsonNode spawned = owner.command(uuid, "spawn", "spawn-" + uuid, "{\"name\":\"busy-bench\",\"flavor\":{"
                + "\"vcpus\":1,\"memory_mb\":1024,\"root_gb\":2},\"image_id\":\"debian-12\",\"user_data\":\""
                + Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)) + "\"}", COMMAND);
        require("instance.spawn.end".equals(spawned.path("event").asString()), "spawn: " + spawned);
        GuestAgentShell guest = new GuestAgentShell(hosts.a().unixUri(), uuid).awaitAnswering(BOOT);
        if (guest.run("pgrep -c stress-ng || true").strip().equals("0")) {
            guest.run("setsid -f " + workload + " </dev/null >/dev/null 2>&1");
        }
        return guest.run("cat /proc/sys/kernel/random/boot_id").strip();
    }

    private void agentHop(int round) throws Exception {
        String requestId = "migrate-" + round + "-" + UUID.randomUUID().toString().substring(0, 6);
        CompletableFuture<ProcessResult> completion = watchJobCompletion(hostOf(owner));
        long start = System.nanoTime();
        JsonNode done = owner.command(uuid, "migrate", requestId, "{\"destination\":\"" + other.host()
                + "\",\"completion_timeout_s\":" + opts.get("timeout") + "}", Duration.ofSeconds(
                Long.parseLong(opts.get("timeout")) * 3));
        long ms = msSince(start);
        boolean moved = "instance.migrate.end".equals(done.path("event").asString());
        TwoLibvirtHosts.Host to = hostOf(other);
        long reported = done.path("payload").path("downtime_ms").asLong(-1);
        row("agent", round, hostOf(owner).name() + " → " + to.name(), moved
                ? "completed_in " + done.path("payload").path("completed_in").asString()
                : "error: " + done.path("error").path("message").asString(), ms, moved ? downtime(completion) : -1,
                reported);
        if (moved) {
            HostAgent was = owner;
            owner = other;
            other = was;
        }
    }

    /** One virsh hop, bounded by the timeout; true when it completed. */
    private boolean virshHop(int round, String path, TwoLibvirtHosts.Host from, TwoLibvirtHosts.Host to)
            throws Exception {
        List<String> argv = new ArrayList<>(List.of("virsh", "-c", from.unixUri(), "migrate", "--live", "--p2p",
                "--persistent", "--undefinesource", "--bandwidth", opts.get("bandwidth")));
        argv.addAll(path.equals("virsh-ac") ? List.of("--auto-converge")
                : List.of("--postcopy", "--postcopy-after-precopy"));
        if (!hosts.sharedStorageRecognised()) {
            argv.add("--unsafe");
        }
        argv.addAll(List.of(domain, to.tcpUri()));
        long timeout = Long.parseLong(opts.get("timeout"));
        CompletableFuture<ProcessResult> completion = watchJobCompletion(from);
        long start = System.nanoTime();
        CompletableFuture<ProcessResult> hop = CompletableFuture.supplyAsync(
                () -> Commands.run(Duration.ofSeconds(timeout * 2), argv));
        ProcessResult result;
        String outcome;
        try {
            result = hop.get(timeout, TimeUnit.SECONDS);
            outcome = result.exitCode() == 0 ? "completed" : "failed: " + result.stderr().strip();
        } catch (TimeoutException e) {
            Commands.run(Duration.ofSeconds(30), "virsh", "-c", from.unixUri(), "domjobabort", domain);
            result = hop.get(120, TimeUnit.SECONDS);
            outcome = "not complete within " + timeout + " s; aborted";
        }
        long ms = msSince(start);
        boolean moved = result.exitCode() == 0;
        row(path, round, from.name() + " → " + to.name(), outcome, ms, moved ? downtime(completion) : -1, -1);
        return moved;
    }

    /**
     * {@code virsh event --event job-completed} on the source, started before the hop (it is the source's
     * completed-job statistics, and libvirt drops the source domain when the migration ends); it prints the
     * first such event of the domain with its statistics and exits.
     */
    private CompletableFuture<ProcessResult> watchJobCompletion(TwoLibvirtHosts.Host source) throws Exception {
        long seconds = Long.parseLong(opts.get("timeout")) * 3;
        CompletableFuture<ProcessResult> watch = CompletableFuture.supplyAsync(() -> Commands.run(
                Duration.ofSeconds(seconds + 30), "virsh", "-c", source.unixUri(), "event", "--domain", domain,
                "--event", "job-completed", "--timeout", Long.toString(seconds)));
        // virsh registers its callback after connecting: give it a moment before the job starts
        CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)).get();
        return watch;
    }

    /** The {@code downtime} of the completed job the watcher printed, ms; -1 when none came within 30 s. */
    private static long downtime(CompletableFuture<ProcessResult> completion) throws Exception {
        ProcessResult result;
        try {
            result = completion.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return -1;
        }
        Matcher m = EVENT_DOWNTIME.matcher(result.stdout());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private TwoLibvirtHosts.Host hostOf(HostAgent agent) {
        return agent.host().startsWith("busy-bench-a-") ? hosts.a() : hosts.b();
    }

    private void row(String path, int round, String hop, String result, long totalMs, long downtimeMs,
                     long reportedMs) {
        String line = String.format("| %s | %d | %s | %s | %.1f s | %s | %s |", path, round, hop, result,
                totalMs / 1000.0, downtimeMs < 0 ? "—" : downtimeMs + " ms", reportedMs < 0 ? "—" : reportedMs + " ms");
        System.out.println(line + "   (load " + loadAverage() + ")");
        rows.add(line);
    }

    private static long msSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(what);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}

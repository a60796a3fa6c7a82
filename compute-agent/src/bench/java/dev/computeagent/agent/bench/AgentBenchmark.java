package dev.computeagent.agent.bench;

import dev.computeagent.hostio.testing.Commands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmarks of the packaged agent (not run by the build; see benchmarks/agent.md). For each JVM
 * option profile it starts {@code compute-agent.jar} in its own process and measures:
 * <ol>
 *   <li>start-up: process start to readiness UP, and Spring's "Started … in" (several starts);</li>
 *   <li>RSS idle, then with {@code guests} running tiny instances;</li>
 *   <li>warm-cache spawn latency (publish to {@code instance.spawn.end}) interleaved with the raw
 *       floor (qemu-img create + virDomainDefineXML + virDomainCreate of the agent's own XML), plus
 *       the agent's {@code agent.spawn.phase} and {@code agent.commands} timers over those spawns;</li>
 *   <li>a burst of {@code burst} spawns published at once against as many raw floors run in parallel
 *       threads, {@code bursts} rounds interleaved;</li>
 *   <li>RSS with {@code guests} running instances, then after a load of {@code load} power commands per
 *       instance (stop, start, hard reboot in turn) and after {@code fuzz} mutated envelopes
 *       ({@link FuzzCorpus}), each read at once and {@code settle} seconds later;</li>
 *   <li>rejected-message throughput ({@code flood} invalid messages) and the latency of valid
 *       commands (delete of an unknown instance) without and during the flood.</li>
 * </ol>
 * Arguments are {@code key=value}: {@code jar}, {@code profiles} (comma list of {@code default},
 * {@code tuned}), {@code tuned} (the tuned options, space separated), {@code n}, {@code starts},
 * {@code burst}, {@code bursts}, {@code guests}, {@code load}, {@code fuzz}, {@code settle}, {@code flood}.
 * Everything it creates (domains, queues, /var/tmp files) is removed.
 */
public final class AgentBenchmark {

    /** The options benchmarks/agent.md recommends; the launch sites (quickstart, Dockerfile, Helm) use them. */
    static final String TUNED = "-XX:+UseSerialGC -Xms32m -Xmx128m -Xss512k -XX:MaxMetaspaceSize=128m "
            + "-XX:ReservedCodeCacheSize=64m -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError";
    private static final String URI = "qemu:///system";
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

    private final Map<String, String> opts;
    private final Path root;
    private final Path store;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final RawLibvirt libvirt = new RawLibvirt(URI);
    private final Map<String, Path> pendingFloors = new java.util.concurrent.ConcurrentHashMap<>();

    private AgentBenchmark(Map<String, String> opts) throws Exception {
        this.opts = opts;
        root = Files.createTempDirectory(Path.of("/var/tmp"), "agent-bench-");
        // QEMU (another user) must traverse it to reach the instance disks
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        store = TinyGuestStore.write(root.resolve("images"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("jar", defaultJar().toString(), "profiles",
                "default,tuned", "tuned", TUNED, "n", "15", "starts", "3", "guests", "50", "flood", "5000"));
        opts.putAll(Map.of("burst", "10", "bursts", "5", "fuzz", "2000", "load", "6", "settle", "20"));
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are key=value, got " + a);
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        System.out.printf("agent benchmark %s, nproc %d, load average %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), loadAverage());
        System.out.println("options: " + opts);
        AgentBenchmark bench = new AgentBenchmark(opts);
        try {
            for (String profile : opts.get("profiles").split(",")) {
                bench.run(profile.trim());
            }
        } finally {
            bench.close();
        }
    }

    private void run(String profile) throws Exception {
        List<String> jvm = switch (profile) {
            case "default" -> List.of();
            case "tuned" -> Arrays.asList(opts.get("tuned").trim().split("\\s+"));
            default -> throw new IllegalArgumentException("unknown profile " + profile);
        };
        String host = "bench-" + runId + "-" + profile;
        Path state = root.resolve("state-" + profile);
        Map<String, String> env = Map.of("AGENT_HOST", host, "AGENT_STATE_DIR", state.toString(),
                "AGENT_IMAGE_STORE_URL", "file://" + store, "AGENT_LIBVIRT_URI", URI,
                "AGENT_SHUTDOWN_TIMEOUT", "30s");
        System.out.printf("%n=== profile %s: JVM options %s (load average %s)%n", profile, jvm, loadAverage());
        try (BenchAmqp amqp = new BenchAmqp(System.getenv().getOrDefault("RABBITMQ_HOST", "127.0.0.1"),
                Integer.parseInt(System.getenv().getOrDefault("RABBITMQ_PORT", "5672")), host)) {
            List<String> created = new ArrayList<>();
            try {
                int starts = Integer.parseInt(opts.get("starts"));
                Stats ready = new Stats();
                Stats spring = new Stats();
                Stats cpu = new Stats();
                for (int i = 1; i < starts; i++) {
                    try (AgentJar agent = AgentJar.start(Path.of(opts.get("jar")), jvm, env,
                            root.resolve(profile + "-start-" + i + ".log"))) {
                        ready.addNanos(agent.awaitReady(Duration.ofMinutes(5)));
                        cpu.addNanos(agent.cpuNanos());
                        spring.addNanos((long) (agent.springStartedSeconds() * 1e9));
                    }
                }
                try (AgentJar agent = AgentJar.start(Path.of(opts.get("jar")), jvm, env, root.resolve(profile + ".log"))) {
                    ready.addNanos(agent.awaitReady(Duration.ofMinutes(5)));
                    cpu.addNanos(agent.cpuNanos());
                    spring.addNanos((long) (agent.springStartedSeconds() * 1e9));
                    System.out.printf("[%s] start-up, process start -> readiness UP: %s%n", profile, ready);
                    System.out.printf("[%s] start-up, CPU time (user+sys) until ready: %s%n", profile, cpu);
                    System.out.printf("[%s] start-up, Spring \"Started ... in\":      %s%n", profile, spring);
                    Thread.sleep(10_000); // idle: let start-up garbage and JIT settle before reading RSS
                    System.out.printf("[%s] RSS idle (ready + 10 s): %d MiB (peak so far %d MiB)%n", profile,
                            agent.statusKiB("VmRSS") / 1024, agent.statusKiB("VmHWM") / 1024);
                    rss(profile, "idle (ready + 10 s)", agent);
                    FloorTemplate floor = warmUp(profile, amqp, state, created);
                    spawnLatency(profile, agent, amqp, floor, created);
                    burst(profile, amqp, floor, created);
                    manyGuests(profile, agent, amqp, created);
                    flood(profile, amqp);
                    System.out.printf("[%s] RSS at the end: %d MiB (peak %d MiB)%n", profile,
                            agent.statusKiB("VmRSS") / 1024, agent.statusKiB("VmHWM") / 1024);
                }
            } finally {
                for (String uuid : created) {
                    libvirt.destroyAndUndefine("instance-" + uuid);
                }
                amqp.deleteQueues();
            }
        }
    }

    /** The agent's own persistent XML of a warm-up spawn, the floor's template; the warm-up fills the cache. */
    private record FloorTemplate(String template, String warm, Path warmDir, String base) {
    }

    private FloorTemplate warmUp(String profile, BenchAmqp amqp, Path state, List<String> created) throws Exception {
        String warm = UUID.randomUUID().toString();
        created.add(warm);
        spawn(amqp, warm, "warm-up");
        String template = libvirt.inactiveXml("instance-" + warm);
        Path warmDir = state.resolve("instances").resolve(warm);
        String base = backingFile(warmDir.resolve("disk"));
        delete(amqp, warm);
        String virtType = template.replaceAll("(?s).*<domain type=['\"](\\w+)['\"].*", "$1");
        System.out.printf("[%s] virt type %s, base %s%n", profile, virtType, base);
        return new FloorTemplate(template, warm, warmDir, base);
    }

    /** Warm-cache spawn, agent and raw floor interleaved (alternating which goes first). */
    private void spawnLatency(String profile, AgentJar agent, BenchAmqp amqp, FloorTemplate fl, List<String> created)
            throws Exception {
        int n = Integer.parseInt(opts.get("n"));
        if (n <= 0) {
            return;
        }
        String template = fl.template();
        String warm = fl.warm();
        Path warmDir = fl.warmDir();
        String base = fl.base();

        Stats agentSpawn = new Stats();
        Stats floor = new Stats();
        Stats[] floorParts = {new Stats(), new Stats(), new Stats()};
        Stats ratio = new Stats();
        PairedRatio paired = new PairedRatio();
        Stats[] agentParts = {new Stats(), new Stats()};
        PrometheusTimers before = new PrometheusTimers(agent.get("/actuator/prometheus"));
        for (int i = 0; i < n; i++) {
            long a;
            long f;
            if (i % 2 == 0) {
                a = agentSpawnOnce(amqp, created, i, agentParts);
                f = floorOnce(template, warm, warmDir, base, floorParts);
            } else {
                f = floorOnce(template, warm, warmDir, base, floorParts);
                a = agentSpawnOnce(amqp, created, i, agentParts);
            }
            agentSpawn.addNanos(a);
            floor.addNanos(f);
            ratio.addNanos((long) ((double) a / f * 1e6)); // the pair's ratio, stored as "ms" = ratio
            paired.add(a, f);
        }
        PrometheusTimers after = new PrometheusTimers(agent.get("/actuator/prometheus"));
        System.out.printf("[%s] spawn, warm cache, publish -> instance.spawn.end: %s%n", profile, agentSpawn);
        System.out.printf("[%s] raw floor, qemu-img create + define + create:    %s%n", profile, floor);
        System.out.printf("[%s]   agent publish -> instance.spawn.start: %s%n", profile, agentParts[0]);
        System.out.printf("[%s]   agent spawn.start -> spawn.end:        %s%n", profile, agentParts[1]);
        System.out.printf("[%s]   floor qemu-img create:   %s%n", profile, floorParts[0]);
        System.out.printf("[%s]   floor virDomainDefineXML: %s%n", profile, floorParts[1]);
        System.out.printf("[%s]   floor virDomainCreate:   %s%n", profile, floorParts[2]);
        System.out.printf(Locale.ROOT, "[%s] ratio of medians agent/floor = %.2f (median of pairwise ratios %.2f)%n",
                profile, agentSpawn.median() / floor.median(), ratio.median());
        System.out.printf("[%s] sequential agent/floor: %s%n", profile, paired);
        after.meanSince(before, "agent_spawn_phase").forEach((k, v) -> System.out.printf("[%s]   %s: %s%n",
                profile, k, v));
        after.meanSince(before, "agent_commands").forEach((k, v) -> System.out.printf("[%s]   %s: %s%n",
                profile, k, v));
    }

    private long agentSpawnOnce(BenchAmqp amqp, List<String> created, int i, Stats[] parts) throws Exception {
        String uuid = UUID.randomUUID().toString();
        created.add(uuid);
        long t = spawn(amqp, uuid, "lat-" + i);
        Long started = amqp.startArrived("s-" + uuid);
        if (started != null) {
            long ended = amqp.await("s-" + uuid, COMMAND_TIMEOUT).arrivedNanos(); // already here
            long published = ended - t;
            parts[0].addNanos(started - published);
            parts[1].addNanos(ended - started);
        }
        delete(amqp, uuid);
        return t;
    }

    private long floorOnce(String template, String warm, Path warmDir, String base, Stats[] parts) throws Exception {
        return floorOnce(template, warm, warmDir, base, parts, true);
    }

    /** One raw spawn; with {@code cleanUpNow} false its domain and files stay until {@link #floorCleanUp}. */
    private long floorOnce(String template, String warm, Path warmDir, String base, Stats[] parts, boolean cleanUpNow)
            throws Exception {
        String uuid = UUID.randomUUID().toString();
        Path dir = Files.createDirectories(root.resolve("floor").resolve(uuid));
        String name = "bench-floor-" + uuid;
        // no agent metadata: the agent must ignore this domain, as it ignores every foreign one
        String xml = template.replaceAll("(?s)<metadata>.*</metadata>", "")
                .replace(warmDir.toString(), dir.toString())
                .replace("instance-" + warm, name)
                .replace(warm, uuid);
        long t0 = System.nanoTime();
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", base,
                dir.resolve("disk").toString(), "1G"));
        long t1 = System.nanoTime();
        long t2 = libvirt.defineAndStart(xml);
        long t3 = System.nanoTime();
        long elapsed = t3 - t0;
        parts[0].addNanos(t1 - t0);
        parts[1].addNanos(t2 - t1);
        parts[2].addNanos(t3 - t2);
        if (cleanUpNow) {
            libvirt.destroyAndUndefine(name);
            deleteTree(dir);
        } else {
            pendingFloors.put(name, dir);
        }
        return elapsed;
    }

    private void floorCleanUp() throws IOException {
        for (Map.Entry<String, Path> floor : pendingFloors.entrySet()) {
            libvirt.destroyAndUndefine(floor.getKey());
            deleteTree(floor.getValue());
        }
        pendingFloors.clear();
    }

    /**
     * {@code burst} spawns published at once (publish of the first to the last {@code .end}) against
     * {@code burst} raw floors started at once on as many threads (start to the last one running), rounds
     * interleaved, alternating which goes first.
     */
    private void burst(String profile, BenchAmqp amqp, FloorTemplate fl, List<String> created) throws Exception {
        int size = Integer.parseInt(opts.get("burst"));
        int rounds = Integer.parseInt(opts.get("bursts"));
        if (size <= 0 || rounds <= 0) {
            return;
        }
        Stats agentBurst = new Stats();
        Stats floorBurst = new Stats();
        Stats ratio = new Stats();
        for (int r = 0; r < rounds; r++) {
            long a;
            long f;
            if (r % 2 == 0) {
                a = agentBurstOnce(amqp, created, r, size);
                f = floorBurstOnce(fl, size);
            } else {
                f = floorBurstOnce(fl, size);
                a = agentBurstOnce(amqp, created, r, size);
            }
            agentBurst.addNanos(a);
            floorBurst.addNanos(f);
            ratio.addNanos((long) ((double) a / f * 1e6));
            System.out.printf(Locale.ROOT, "[%s]   burst round %d: agent %.0f ms, floor %.0f ms, ratio %.2f%n", profile,
                    r + 1, a / 1e6, f / 1e6, (double) a / f);
        }
        System.out.printf("[%s] burst of %d spawns, publish -> last instance.spawn.end: %s%n", profile, size, agentBurst);
        System.out.printf("[%s] burst of %d raw floors in parallel, start -> last running:   %s%n", profile, size,
                floorBurst);
        System.out.printf(Locale.ROOT, "[%s] burst ratio of medians agent/floor = %.2f (median of round ratios %.2f)%n",
                profile, agentBurst.median() / floorBurst.median(), ratio.median());
    }

    private long agentBurstOnce(BenchAmqp amqp, List<String> created, int round, int size) throws Exception {
        List<String> uuids = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            uuids.add(UUID.randomUUID().toString());
        }
        created.addAll(uuids);
        long t0 = System.nanoTime();
        for (int i = 0; i < size; i++) {
            amqp.command("spawn", "s-" + uuids.get(i), uuids.get(i), spawnArgs("burst-" + round + "-" + i));
        }
        long last = t0;
        for (String uuid : uuids) {
            BenchAmqp.Final f = amqp.await("s-" + uuid, COMMAND_TIMEOUT);
            if (!f.ok()) {
                throw new IllegalStateException("spawn failed: " + f.event());
            }
            last = Math.max(last, f.arrivedNanos());
        }
        for (String uuid : uuids) {
            amqp.command("delete", "d-" + uuid, uuid, "{}");
        }
        for (String uuid : uuids) {
            amqp.await("d-" + uuid, COMMAND_TIMEOUT);
        }
        return last - t0;
    }

    private long floorBurstOnce(FloorTemplate fl, int size) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Stats[] ignored = {new Stats(), new Stats(), new Stats()};
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < size; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    floorOnce(fl.template(), fl.warm(), fl.warmDir(), fl.base(), ignored, false);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "floor-" + i);
            t.start();
            threads.add(t);
        }
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - t0;
        if (!failures.isEmpty()) {
            throw new IllegalStateException("raw floor failed", failures.get(0));
        }
        floorCleanUp();
        return elapsed;
    }

    /** VmRSS and VmHWM now and {@code settle} seconds later (the idle agent's periodic collection). */
    private void rss(String profile, String label, AgentJar agent) throws Exception {
        long now = agent.statusKiB("VmRSS") / 1024;
        Thread.sleep(Long.parseLong(opts.get("settle")) * 1000);
        System.out.printf("[%s] RSS %s: %d MiB at once, %d MiB %s s later (PSS %d MiB, peak so far %d MiB; %d "
                        + "process(es); load average %s)%n", profile, label, now, agent.statusKiB("VmRSS") / 1024,
                opts.get("settle"), agent.pssKiB() / 1024, agent.statusKiB("VmHWM") / 1024, agent.processes(),
                loadAverage());
    }

    /** RSS with many running tiny instances, spawned all at once (the agent bounds concurrency). */
    private void manyGuests(String profile, AgentJar agent, BenchAmqp amqp, List<String> created) throws Exception {
        int guests = Integer.parseInt(opts.get("guests"));
        if (guests <= 0) {
            return;
        }
        List<String> uuids = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < guests; i++) {
            String uuid = UUID.randomUUID().toString();
            uuids.add(uuid);
            created.add(uuid);
            amqp.command("spawn", "s-" + uuid, uuid, spawnArgs("many-" + i));
        }
        for (String uuid : uuids) {
            BenchAmqp.Final f = amqp.await("s-" + uuid, COMMAND_TIMEOUT);
            if (!f.ok()) {
                throw new IllegalStateException("spawn failed: " + f.event());
            }
        }
        System.out.printf(Locale.ROOT, "[%s] %d spawns published at once: all ended after %.1f s%n", profile, guests,
                (System.nanoTime() - t0) / 1e9);
        Thread.sleep(10_000); // steady state with the guests running
        String status = agent.get("/v1/status");
        Matcher instances = Pattern.compile("\"instances\"\\s*:\\s*(\\{[^}]*\\})").matcher(status);
        System.out.printf("[%s] RSS with %d running instances (/v1/status instances %s): %d MiB (PSS %d MiB, peak "
                        + "%d MiB)%n", profile, guests, instances.find() ? instances.group(1) : "?",
                agent.statusKiB("VmRSS") / 1024, agent.pssKiB() / 1024, agent.statusKiB("VmHWM") / 1024);
        load(profile, amqp, uuids);
        rss(profile, "with " + guests + " instances after the load", agent);
        fuzz(profile, amqp);
        rss(profile, "with " + guests + " instances after the fuzz run", agent);
        for (String uuid : uuids) {
            amqp.command("delete", "d-" + uuid, uuid, "{}");
        }
        for (String uuid : uuids) {
            amqp.await("d-" + uuid, COMMAND_TIMEOUT);
        }
    }

    /** {@code load} power commands per instance (stop, start, hard reboot in turn), all published at once. */
    private void load(String profile, BenchAmqp amqp, List<String> uuids) throws Exception {
        int perInstance = Integer.parseInt(opts.get("load"));
        if (perInstance <= 0) {
            return;
        }
        String[][] cycle = {{"stop", "{\"timeout_s\":0}"}, {"start", "{}"}, {"reboot", "{\"hard\":true}"}};
        List<String> ids = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int k = 0; k < perInstance; k++) {
            for (String uuid : uuids) {
                String[] c = cycle[k % cycle.length];
                String id = "l" + k + "-" + uuid;
                amqp.command(c[0], id, uuid, c[1]);
                ids.add(id);
            }
        }
        int failed = 0;
        for (String id : ids) {
            if (!amqp.await(id, COMMAND_TIMEOUT).ok()) {
                failed++;
            }
        }
        System.out.printf(Locale.ROOT, "[%s] load: %d power commands on %d instances (+ their %d spawns and deletes) "
                + "in %.1f s, %d failed%n", profile, ids.size(), uuids.size(), 2 * uuids.size(),
                (System.nanoTime() - t0) / 1e9, failed);
    }

    /** {@code fuzz} mutated envelopes, published at once; waits until the agent has answered them all. */
    private void fuzz(String profile, BenchAmqp amqp) throws Exception {
        int size = Integer.parseInt(opts.get("fuzz"));
        if (size <= 0) {
            return;
        }
        List<byte[]> corpus = FuzzCorpus.build(20_261_207L, size);
        long t0 = System.nanoTime();
        amqp.publishRaw(corpus);
        // answered = the queue is empty and no event came for 5 s
        long seen = -1;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while ((amqp.queued() > 0 || amqp.events() != seen) && System.nanoTime() < deadline) {
            seen = amqp.events();
            Thread.sleep(5000);
        }
        System.out.printf(Locale.ROOT, "[%s] fuzz: %d mutated envelopes answered in %.1f s (incl. 5 s of quiet)%n",
                profile, size, (System.nanoTime() - t0) / 1e9);
    }

    /** Invalid messages as fast as possible; valid deletes of unknown instances before and during. */
    private void flood(String profile, BenchAmqp amqp) throws Exception {
        int count = Integer.parseInt(opts.get("flood"));
        if (count <= 0) {
            return;
        }
        Stats quiet = new Stats();
        for (int i = 0; i < 30; i++) {
            quiet.addNanos(validOnce(amqp, "q-" + i));
        }
        byte[][] bodies = {
            "this is not JSON {".getBytes(StandardCharsets.UTF_8),
            ("{\"version\":1,\"request_id\":\"bad id with spaces\",\"command\":\"spawn\",\"instance_uuid\":\"NOT-A-UUID\","
                + "\"args\":{\"flavor\":{\"vcpus\":0}}}").getBytes(StandardCharsets.UTF_8),
            "{\"version\":1,\"request_id\":\"r\",\"command\":\"explode\",\"instance_uuid\":\"x\"}".getBytes(
                StandardCharsets.UTF_8),
        };
        long rejectedBefore = amqp.rejected();
        long deadBefore = amqp.deadLetters();
        long t0 = System.nanoTime();
        Thread flooder = new Thread(() -> {
            try {
                amqp.flood(bodies, count);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "flood");
        flooder.start();
        // valid commands interleaved with the flood: one every 20 ms until every invalid one is rejected
        List<String> ids = new ArrayList<>();
        Map<String, Long> published = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (amqp.rejected() - rejectedBefore < count && System.nanoTime() < deadline) {
            String uuid = UUID.randomUUID().toString();
            String id = "v-" + uuid;
            published.put(id, amqp.command("delete", id, uuid, "{}"));
            ids.add(id);
            Thread.sleep(20);
        }
        flooder.join();
        long rejectedNanos = amqp.lastRejectedNanos() - t0;
        Stats during = new Stats();
        for (String id : ids) {
            BenchAmqp.Final f = amqp.await(id, COMMAND_TIMEOUT);
            during.addNanos(f.arrivedNanos() - published.get(id));
        }
        long rejected = amqp.rejected() - rejectedBefore;
        Thread.sleep(1000); // the last nacks reach the dead-letter queue
        System.out.printf(Locale.ROOT, "[%s] flood: %d invalid published, %d command.rejected in %.2f s = %.0f msg/s; "
                + "dead-letter queue +%d%n", profile, count, rejected, rejectedNanos / 1e9, rejected / (rejectedNanos / 1e9),
                amqp.deadLetters() - deadBefore);
        System.out.printf("[%s] valid delete (unknown instance), publish -> end, no flood:     %s%n", profile, quiet);
        System.out.printf("[%s] valid delete (unknown instance), publish -> end, during flood: %s%n", profile, during);
    }

    private long validOnce(BenchAmqp amqp, String tag) throws Exception {
        String uuid = UUID.randomUUID().toString();
        String id = tag + "-" + uuid;
        long t = amqp.command("delete", id, uuid, "{}");
        return amqp.await(id, COMMAND_TIMEOUT).arrivedNanos() - t;
    }

    private static long spawn(BenchAmqp amqp, String uuid, String name) throws Exception {
        long t = amqp.command("spawn", "s-" + uuid, uuid, spawnArgs(name));
        BenchAmqp.Final f = amqp.await("s-" + uuid, COMMAND_TIMEOUT);
        if (!f.ok()) {
            throw new IllegalStateException("spawn failed: " + f.event());
        }
        return f.arrivedNanos() - t;
    }

    private static void delete(BenchAmqp amqp, String uuid) throws Exception {
        amqp.command("delete", "d-" + uuid, uuid, "{}");
        BenchAmqp.Final f = amqp.await("d-" + uuid, COMMAND_TIMEOUT);
        if (!f.ok()) {
            throw new IllegalStateException("delete failed: " + f.event());
        }
    }

    private static String spawnArgs(String name) {
        return "{\"name\":\"" + name + "\",\"image_id\":\"tiny-guest\","
                + "\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":1}}";
    }

    private static String backingFile(Path overlay) throws Exception {
        String info = run(List.of("qemu-img", "info", "-U", "--output=json", overlay.toString()));
        Matcher m = Pattern.compile("\"full-backing-filename\"\\s*:\\s*\"([^\"]+)\"").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no backing file in " + info);
        }
        return m.group(1);
    }

    private static String run(List<String> command) {
        return Commands.check(command);
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    private static Path defaultJar() {
        for (Path p : List.of(Path.of("compute-agent/target/compute-agent.jar"), Path.of("target/compute-agent.jar"))) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath();
            }
        }
        return Path.of("compute-agent/target/compute-agent.jar").toAbsolutePath();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void close() throws IOException {
        try (var list = Files.list(root)) {
            list.filter(p -> p.getFileName().toString().endsWith(".log")).forEach(p -> {
                try {
                    Files.copy(p, Path.of("/tmp", "agent-bench-" + runId + "-" + p.getFileName()));
                } catch (IOException ignored) {
                    // logs are a convenience
                }
            });
        }
        libvirt.close();
        deleteTree(root);
        System.out.println("agent logs copied to /tmp/agent-bench-" + runId + "-*.log; " + root + " removed");
    }
}

package dev.computeagent.agent.bench;

import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.libvirt.domain.DomainNames;
import dev.computeagent.virt.libvirt.migration.ConsoleTicks;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Live migration through two real agents against plain {@code virsh migrate} between the same two
 * hosts in the same run (benchmarks/migration-agent.md; not run by the build). Starts the
 * {@link TwoLibvirtHosts} harness, a {@link GlanceStubServer} serving the tiny guest and one agent JVM
 * per host on the real RabbitMQ; spawns one idle tiny instance through agent A and starts its unowned
 * twin ({@link UnownedGuest}); then, round by round and direction by direction, migrates the instance
 * with the {@code migrate} command and the twin with {@code virsh migrate --live --p2p --persistent
 * --undefinesource} (alternating which goes first). Every hop must keep the guest's serial counter
 * running without a new boot. Prints each hop, then medians, the agent/virsh ratio and where the
 * agent's time goes ({@link MigrationSteps}).
 *
 * <p>Arguments ({@code key=value}, or positionally in this order): {@code rounds} (10; each is one hop
 * there and one back per path), {@code virt} ({@code auto}|{@code kvm}|{@code qemu}), {@code mode}
 * ({@code shared}: both agents' state directory in the harness's shared directory; {@code block}: a
 * private one per host, the disk copied), {@code logs} (a directory to keep the agents' logs in; by
 * default they are deleted). Needs root, libvirtd, bindfs, qemu-img and RabbitMQ on 127.0.0.1:5672.
 * Everything it creates is removed at the end, also on failure.
 */
public final class AgentMigrationBenchmark {

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
    /** Clean-up must not hang for long on an agent that died. */
    private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern MOVED = Pattern.compile("moved to \\S+ in (\\d+) ms");
    private static final List<String> KEYS = List.of("rounds", "virt", "mode", "logs");

    private final TwoLibvirtHosts hosts;
    private final MigrationSteps steps;
    private final MigrationAgent a;
    private final MigrationAgent b;
    private final boolean block;
    private final String run;
    private final List<Hop> hops = new ArrayList<>();

    private AgentMigrationBenchmark(TwoLibvirtHosts hosts, MigrationSteps steps, MigrationAgent a, MigrationAgent b,
                                    boolean block, String run) {
        this.hosts = hosts;
        this.steps = steps;
        this.a = a;
        this.b = b;
        this.block = block;
        this.run = run;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        int rounds = Integer.parseInt(opts.get("rounds"));
        String virt = opts.get("virt").toLowerCase(Locale.ROOT);
        boolean block = switch (opts.get("mode")) {
            case "shared" -> false;
            case "block" -> true;
            default -> throw new IllegalArgumentException("mode must be shared or block: " + opts.get("mode"));
        };
        String run = UUID.randomUUID().toString().substring(0, 6);
        System.out.printf("agent migration benchmark %s, nproc %d, load average %s, options %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), loadAverage(), opts);
        Path logs = opts.containsKey("logs") ? Files.createDirectories(Path.of(opts.get("logs")))
                : Files.createTempDirectory("agent-migration-bench-");
        TwoLibvirtHosts hosts = new TwoLibvirtHosts();
        hosts.beforeAll(null);
        try {
            if (!block && !hosts.sharedStorageRecognised()) {
                throw new IllegalStateException("libvirt does not recognise the shared directory as shared storage "
                        + "(no bindfs?): the agent would refuse a shared-storage live migration");
            }
            Path image = hosts.a().dir().resolve("tiny-" + run + ".raw");
            Path shared = hosts.sharedDir().resolve("agent-state-" + run);
            try (GlanceStubServer glance = GlanceStubServer.start();
                 MigrationSteps steps = new MigrationSteps(AmqpTestClient.BROKER_HOST, AmqpTestClient.BROKER_PORT);
                 MigrationAgent a = MigrationAgent.start(hosts.a(), "bench-a-" + run,
                         block ? hosts.a().dir().resolve("agent-state-" + run) : shared, glance.url(), virt,
                         logs.resolve("agent-a-" + run + ".log"));
                 MigrationAgent b = MigrationAgent.start(hosts.b(), "bench-b-" + run,
                         block ? hosts.b().dir().resolve("agent-state-" + run) : shared, glance.url(), virt,
                         logs.resolve("agent-b-" + run + ".log"))) {
                glance.addImage("tiny", TinyGuestImage.write(image));
                new AgentMigrationBenchmark(hosts, steps, a, b, block, run).measure(rounds);
            }
        } finally {
            try {
                hosts.afterAll(null);
            } finally {
                if (!opts.containsKey("logs")) {
                    deleteTree(logs);
                } else {
                    System.out.println("agent logs kept in " + logs);
                }
            }
        }
        System.out.printf("done %s, load average %s%n", Instant.now(), loadAverage());
    }

    private void measure(int rounds) throws Exception {
        UUID uuid = UUID.randomUUID();
        UnownedGuest twin = null;
        try {
            require(a.send("spawn", "spawn-" + run, uuid, "{\"name\":\"bench\",\"flavor\":"
                    + "{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\"}", COMMAND_TIMEOUT).result(),
                    "spawn");
            Path instanceDir = a.stateDir().resolve("instances").resolve(uuid.toString());
            twin = UnownedGuest.startTwin(hosts, hosts.a(), DomainNames.forUuid(uuid), instanceDir, uuid,
                    "bench-virsh-" + run, block);
            awaitTick(a.consoleLog(uuid), 1);
            awaitTick(twin.consoleLog(hosts.a()), 1);
            System.out.printf("virt type %s, mode %s, %d rounds; instance %s, virsh guest %s%n", twin.virtType(),
                    block ? "block" : "shared", rounds, DomainNames.forUuid(uuid), twin.name());
            String metricsBeforeA = a.prometheus();
            String metricsBeforeB = b.prometheus();
            for (int round = 0; round < rounds; round++) {
                for (boolean there : new boolean[] {true, false}) {
                    boolean agentFirst = round % 2 == 0;
                    for (boolean viaAgent : new boolean[] {agentFirst, !agentFirst}) {
                        Hop hop = viaAgent ? agentHop(round, there, uuid) : virshHop(round, there, twin);
                        hops.add(hop);
                        System.out.printf(Locale.ROOT, "round %2d %-5s %s wall %5.0f ms  job %4d ms  downtime %3d ms%s"
                                + "  load %s%n", round, hop.path(), hop.direction(), hop.wallMs(), hop.job().jobMs(),
                                hop.job().downtimeMs(), hop.agentMs() < 0 ? ""
                                        : "  driver " + hop.agentMs() + " ms  [" + HopReport.phasesLine(hop.phases()) + "]",
                                loadAverage());
                    }
                }
            }
            System.out.println();
            new HopReport(hops).print(System.out);
            for (String direction : List.of("there", "back")) {
                String id = migrateId(rounds - 1, direction.equals("there"));
                System.out.println("timeline of " + id + " (agent clocks and logs, ms after its first event):");
                HopTimeline.print(System.out, steps.agentStamps(id), Map.of(a.name(), a.log(), b.name(), b.log()));
            }
            System.out.println("agent timers over the run (mean per command, agent.commands):");
            new PrometheusTimers(a.prometheus()).meanSince(new PrometheusTimers(metricsBeforeA), "agent_commands")
                    .forEach((k, v) -> System.out.println("  A " + k + ": " + v));
            new PrometheusTimers(b.prometheus()).meanSince(new PrometheusTimers(metricsBeforeB), "agent_commands")
                    .forEach((k, v) -> System.out.println("  B " + k + ": " + v));
        } finally {
            for (MigrationAgent agent : List.of(a, b)) {
                try {
                    // delete of an instance the agent does not have succeeds: ask both
                    agent.send("delete", "delete-" + agent.name(), uuid, "{}", CLEANUP_TIMEOUT);
                } catch (Exception e) {
                    System.err.println("could not delete " + uuid + " through " + agent.name() + ": " + e);
                }
            }
            if (twin != null) {
                twin.remove();
            }
        }
    }

    private Hop agentHop(int round, boolean there, UUID uuid) throws Exception {
        MigrationAgent from = there ? a : b;
        MigrationAgent to = there ? b : a;
        String id = migrateId(round, there);
        Guard guard = Guard.before(from.consoleLog(uuid), to.consoleLog(uuid));
        MigrationAgent.Sent sent = from.send("migrate", id, uuid, "{\"destination\":\"" + to.name() + "\"}",
                COMMAND_TIMEOUT);
        long published = sent.publishedNanos();
        long wall = sent.result().arrivedNanos() - published;
        require(sent.result(), "migrate " + id);
        CompletedJob job = CompletedJob.read(host(to).unixUri(), DomainNames.forUuid(uuid));
        guard.check();
        return new Hop("agent", round, direction(there), wall, job, steps.phases(id, published), lastMoved(from));
    }

    private Hop virshHop(int round, boolean there, UnownedGuest twin) throws Exception {
        TwoLibvirtHosts.Host from = there ? hosts.a() : hosts.b();
        TwoLibvirtHosts.Host to = there ? hosts.b() : hosts.a();
        twin.prepareOn(to);
        Guard guard = Guard.before(twin.consoleLog(from), twin.consoleLog(to));
        List<String> command = twin.migrateCommand(from, to);
        long start = System.nanoTime();
        Commands.check(command);
        long wall = System.nanoTime() - start;
        CompletedJob job = CompletedJob.read(to.unixUri(), twin.name());
        guard.check();
        return new Hop("virsh", round, direction(there), wall, job, Map.of(), -1);
    }

    /**
     * The no-reboot check of one hop: the counter goes on past where it was on the source, and the
     * destination's log gains no boot marker.
     */
    private record Guard(Path destinationLog, int lastTick, int destinationBoots) {

        static Guard before(Path sourceLog, Path destinationLog) {
            return new Guard(destinationLog, ConsoleTicks.read(sourceLog).last(), ConsoleTicks.read(destinationLog).boots());
        }

        void check() {
            awaitTick(destinationLog, lastTick + 1);
            int boots = ConsoleTicks.read(destinationLog).boots();
            if (boots != destinationBoots) {
                throw new IllegalStateException("the guest rebooted: " + destinationLog + " has " + boots
                        + " boot markers, had " + destinationBoots);
            }
        }
    }

    private String migrateId(int round, boolean there) {
        return "migrate-" + run + "-" + round + (there ? "-there" : "-back");
    }

    private TwoLibvirtHosts.Host host(MigrationAgent agent) {
        return agent == a ? hosts.a() : hosts.b();
    }

    private static void require(BenchAmqp.Final result, String what) {
        if (!result.ok()) {
            throw new IllegalStateException(what + " failed: " + result.event());
        }
    }

    /** The source agent's log line of the driver's own migration time, from its last migration. */
    private static long lastMoved(MigrationAgent agent) throws IOException {
        Matcher m = MOVED.matcher(Files.readString(agent.log()));
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    private static void awaitTick(Path log, int atLeast) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ConsoleTicks.read(log).last() >= atLeast);
    }

    private static String direction(boolean there) {
        return there ? "a->b" : "b->a";
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("rounds", "10", "virt", "auto", "mode", "shared"));
        for (int i = 0; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 0 && i < KEYS.size()) {
                opts.put(KEYS.get(i), args[i]);
            } else if (eq > 0 && KEYS.contains(args[i].substring(0, eq))) {
                opts.put(args[i].substring(0, eq), args[i].substring(eq + 1));
            } else {
                throw new IllegalArgumentException("arguments are " + KEYS + " as key=value, got " + args[i]);
            }
        }
        return opts;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

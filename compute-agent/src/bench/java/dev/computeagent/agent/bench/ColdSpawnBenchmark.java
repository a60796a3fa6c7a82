package dev.computeagent.agent.bench;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.testing.RealGuestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cold spawn of the real Debian cloud image (issue 11; not run by the build, see benchmarks/agent.md):
 * publish → {@code instance.spawn.end} through the packaged agent, its image cache empty for the image
 * (each round serves the same file under a new image id, so every round downloads, verifies, inspects
 * and converts it), against the floor of the same work done by hand in the same run: {@code curl} from
 * the same HTTP store, {@code sha512sum}, {@code qemu-img convert} to the format the agent's base has,
 * {@code qemu-img create} of the overlay and {@code virsh create} of the agent's own domain XML. Rounds
 * alternate which side goes first. Reported beside it, not compared: spawn.end → the user_data marker on
 * the serial console (the guest booted and cloud-init ran the config drive's script), for the first
 * round's guest only (later guests are stopped at once, so that booting guests do not slow the rounds).
 *
 * <p>Arguments {@code key=value}: {@code jar}, {@code rounds} (default 3), {@code marker} (true/false).
 * Everything it creates (domains, queues, /var/tmp files) is removed.
 */
public final class ColdSpawnBenchmark {

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(15);
    private static final Pattern BACKING = Pattern.compile("\"backing-filename-format\"\\s*:\\s*\"(\\w+)\"");

    private final Map<String, String> opts;
    private final Path root;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final RawLibvirt libvirt = new RawLibvirt("qemu:///system");
    private final List<String> agentInstances = new ArrayList<>();

    private ColdSpawnBenchmark(Map<String, String> opts) throws IOException {
        this.opts = opts;
        root = Files.createTempDirectory(Path.of("/var/tmp"), "cold-spawn-bench-");
        // QEMU (another user) must traverse it to reach the instance disks
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("jar",
                Path.of("compute-agent/target/compute-agent.jar").toAbsolutePath().toString(), "rounds", "3",
                "marker", "true"));
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are key=value, got " + a);
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        Path image = RealGuestImage.path();
        System.out.printf("cold spawn benchmark %s, nproc %d, load average %s, image %s (%d MiB)%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), loadAverage(), image, Files.size(image) >> 20);
        ColdSpawnBenchmark bench = new ColdSpawnBenchmark(opts);
        try {
            bench.run(image);
        } finally {
            bench.close();
        }
    }

    private void run(Path image) throws Exception {
        int rounds = Integer.parseInt(opts.get("rounds"));
        boolean marker = Boolean.parseBoolean(opts.get("marker"));
        String host = "bench-cold-" + runId;
        Path state = root.resolve("state");
        try (GlanceStubServer store = GlanceStubServer.start();
                BenchAmqp amqp = new BenchAmqp("127.0.0.1", 5672, host)) {
            for (int i = 0; i < 2 * rounds; i++) {
                store.addImage(imageId(i), image).diskFormat("qcow2");
            }
            Map<String, String> env = Map.of("AGENT_HOST", host, "AGENT_STATE_DIR", state.toString(),
                    "AGENT_IMAGESTORE_URL", store.url().toString(), "AGENT_LIBVIRT_URI", "qemu:///system",
                    "AGENT_LIBVIRT_VIRTTYPE", RealGuestImage.VIRT_TYPE, "AGENT_SHUTDOWN_TIMEOUT", "30s");
            Stats agent = new Stats();
            Stats floor = new Stats();
            Stats ratio = new Stats();
            Stats toMarker = new Stats();
            try (AgentJar jar = AgentJar.start(Path.of(opts.get("jar")), List.of(), env, root.resolve("agent.log"))) {
                jar.awaitReady(Duration.ofMinutes(2));
                // the first round's agent spawn gives the XML the floor replays; later rounds alternate
                Spawned first = agentSpawn(amqp, state, 0, marker, toMarker);
                long f0 = floorSpawn(store, first, 1);
                record(agent, floor, ratio, first.nanos(), f0, 0);
                for (int r = 1; r < rounds; r++) {
                    long a;
                    long f;
                    if (r % 2 == 1) {
                        f = floorSpawn(store, first, 2 * r + 1);
                        a = agentSpawn(amqp, state, 2 * r, marker, toMarker).nanos();
                    } else {
                        a = agentSpawn(amqp, state, 2 * r, marker, toMarker).nanos();
                        f = floorSpawn(store, first, 2 * r + 1);
                    }
                    record(agent, floor, ratio, a, f, r);
                }
                for (String uuid : agentInstances) {
                    amqp.command("delete", "d-" + uuid, uuid, "{}");
                    amqp.await("d-" + uuid, COMMAND_TIMEOUT);
                }
            } finally {
                for (String uuid : agentInstances) {
                    libvirt.destroyAndUndefine("instance-" + uuid);
                }
                amqp.deleteQueues();
            }
            System.out.printf("cold spawn through the agent, publish -> instance.spawn.end: %s%n", agent);
            System.out.printf("floor: curl + sha512sum + qemu-img convert + create + virsh create: %s%n", floor);
            System.out.printf(Locale.ROOT, "ratio of medians agent/floor = %.2f (median of pairwise ratios %.2f)%n",
                    agent.median() / floor.median(), ratio.median());
            if (marker) {
                System.out.printf("reported only: spawn.end -> user_data marker on the console (round 0): %s%n", toMarker);
            }
            System.out.printf("load average at the end %s%n", loadAverage());
        }
    }

    private record Spawned(String uuid, long nanos, String xml, Path dir, String baseFormat) {
    }

    private Spawned agentSpawn(BenchAmqp amqp, Path state, int index, boolean marker, Stats toMarker)
            throws Exception {
        String uuid = UUID.randomUUID().toString();
        agentInstances.add(uuid);
        String text = "COLD-SPAWN-MARKER " + uuid;
        String userData = Base64.getEncoder().encodeToString(("#!/bin/sh\necho '" + text + "' > /dev/ttyS0\n")
                .getBytes(StandardCharsets.UTF_8));
        String args = "{\"name\":\"cold-" + index + "\",\"image_id\":\"" + imageId(index) + "\","
                + "\"flavor\":{\"vcpus\":1,\"memory_mb\":512,\"root_gb\":2},\"user_data\":\"" + userData + "\"}";
        long t = amqp.command("spawn", "s-" + uuid, uuid, args);
        BenchAmqp.Final end = amqp.await("s-" + uuid, COMMAND_TIMEOUT);
        if (!end.ok()) {
            throw new IllegalStateException("spawn failed: " + end.event());
        }
        long nanos = end.arrivedNanos() - t;
        Path dir = state.resolve("instances").resolve(uuid);
        if (marker && index == 0) {
            Path console = dir.resolve("console.log");
            long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
            while (!(Files.exists(console) && Files.readString(console, StandardCharsets.ISO_8859_1).contains(text))) {
                if (System.nanoTime() > deadline) {
                    String tail = Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
                    throw new IllegalStateException("no user_data marker on the console within " + BOOT_TIMEOUT
                            + "; console ends with: " + tail.substring(Math.max(0, tail.length() - 2000)));
                }
                Thread.sleep(200); // polling a file the guest writes; this is a benchmark, not a test
            }
            toMarker.addNanos(System.nanoTime() - end.arrivedNanos());
        }
        String info = Commands.check(List.of("qemu-img", "info", "-U", "--output=json", dir.resolve("disk").toString()));
        Matcher m = BACKING.matcher(info);
        String baseFormat = m.find() ? m.group(1) : "raw";
        String xml = libvirt.inactiveXml("instance-" + uuid);
        amqp.command("stop", "x-" + uuid, uuid, "{\"timeout_s\":0}");
        amqp.await("x-" + uuid, COMMAND_TIMEOUT);
        System.out.printf(Locale.ROOT, "  agent spawn %d: %.2f s (base %s)%n", index, nanos / 1e9, baseFormat);
        return new Spawned(uuid, nanos, xml, dir, baseFormat);
    }

    /** The same work by hand: download, hash, convert, overlay, {@code virsh create} of the agent's XML. */
    private long floorSpawn(GlanceStubServer store, Spawned template, int index) throws Exception {
        String uuid = UUID.randomUUID().toString();
        Path dir = Files.createDirectories(root.resolve("floor").resolve(uuid));
        String name = "bench-floor-" + uuid;
        Path download = dir.resolve("image.part");
        Path base = dir.resolve("base");
        if (Files.exists(template.dir().resolve("disk.config"))) {
            Files.copy(template.dir().resolve("disk.config"), dir.resolve("disk.config"));
        }
        String xml = template.xml().replaceAll("(?s)<metadata>.*</metadata>", "")
                .replace(template.dir().toString(), dir.toString())
                .replace("instance-" + template.uuid(), name)
                .replace(template.uuid(), uuid);
        Path xmlFile = dir.resolve("domain.xml");
        Files.writeString(xmlFile, xml);
        long t0 = System.nanoTime();
        Commands.check(List.of("curl", "-fsS", "-o", download.toString(),
                store.url() + "/v2/images/" + imageId(index) + "/file"));
        Commands.check(List.of("sha512sum", download.toString()));
        Commands.check(List.of("qemu-img", "convert", "-O", template.baseFormat(), download.toString(),
                base.toString()));
        Commands.check(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", template.baseFormat(), "-b",
                base.toString(), dir.resolve("disk").toString(), "2G"));
        Commands.check(List.of("virsh", "-c", "qemu:///system", "create", xmlFile.toString()));
        long nanos = System.nanoTime() - t0;
        libvirt.destroyAndUndefine(name);
        deleteTree(dir);
        System.out.printf(Locale.ROOT, "  floor spawn %d: %.2f s%n", index, nanos / 1e9);
        return nanos;
    }

    private static void record(Stats agent, Stats floor, Stats ratio, long a, long f, int round) {
        agent.addNanos(a);
        floor.addNanos(f);
        ratio.addNanos((long) ((double) a / f * 1e6)); // the pair's ratio, stored as "ms" = ratio
        System.out.printf(Locale.ROOT, "round %d: agent %.2f s, floor %.2f s, ratio %.2f%n", round, a / 1e9, f / 1e9,
                (double) a / f);
    }

    private String imageId(int index) {
        return "cold-" + runId + "-" + index;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void close() throws IOException {
        Path log = root.resolve("agent.log");
        if (Files.exists(log)) {
            Files.copy(log, Path.of("/tmp", "cold-spawn-bench-" + runId + ".log"));
        }
        libvirt.close();
        deleteTree(root);
        System.out.println("agent log copied to /tmp/cold-spawn-bench-" + runId + ".log; " + root + " removed");
    }
}

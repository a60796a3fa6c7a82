package dev.computeagent.agent.bench;

import dev.computeagent.hostio.testing.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * pause/unpause and suspend/resume through the packaged agent (publish to the final event) against
 * {@code virsh suspend}/{@code resume} and {@code virsh managedsave}/{@code start} on the same tiny
 * guest, interleaved in one run (which goes first alternates per round), every round printed
 * (benchmarks/lifecycle.md). Arguments {@code key=value}: {@code jar}, {@code n} (rounds, default 10).
 * Not run by the build; everything it creates is removed.
 */
public final class PowerBenchmark {

    private static final String URI = "qemu:///system";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private PowerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("jar",
                Path.of("compute-agent/target/compute-agent.jar").toAbsolutePath().toString(), "n", "10"));
        for (String a : args) {
            int eq = a.indexOf('=');
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        System.out.printf("power benchmark %s, nproc %d, load average %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim());
        Path root = Files.createTempDirectory(Path.of("/var/tmp"), "power-bench-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        String host = "power-bench-" + UUID.randomUUID().toString().substring(0, 8);
        String uuid = UUID.randomUUID().toString();
        try (BenchAmqp amqp = new BenchAmqp(System.getenv().getOrDefault("RABBITMQ_HOST", "127.0.0.1"),
                Integer.parseInt(System.getenv().getOrDefault("RABBITMQ_PORT", "5672")), host)) {
            Path store = TinyGuestStore.write(root.resolve("images"));
            Map<String, String> env = Map.of("AGENT_HOST", host, "AGENT_STATE_DIR", root.resolve("state").toString(),
                    "AGENT_IMAGE_STORE_URL", "file://" + store, "AGENT_LIBVIRT_URI", URI,
                    "AGENT_SHUTDOWN_TIMEOUT", "30s");
            List<String> jvm = Arrays.asList(AgentBenchmark.TUNED.split("\\s+"));
            try (AgentJar agent = AgentJar.start(Path.of(opts.get("jar")), jvm, env, root.resolve("agent.log"))) {
                agent.awaitReady(Duration.ofMinutes(2));
                agentCall(amqp, "spawn", uuid, "{\"name\":\"power-bench\",\"image_id\":\"tiny-guest\","
                        + "\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":1}}");
                try {
                    rounds(amqp, uuid, Integer.parseInt(opts.get("n")));
                } finally {
                    agentCall(amqp, "delete", uuid, "{}");
                }
            } finally {
                amqp.deleteQueues();
            }
        } finally {
            Commands.run(Duration.ofSeconds(60), "rm", "-rf", root.toString());
        }
    }

    private static void rounds(BenchAmqp amqp, String uuid, int n) throws Exception {
        String domain = "instance-" + uuid;
        Stats[] stats = new Stats[8];
        Arrays.setAll(stats, i -> new Stats());
        String[] names = {"agent pause", "agent unpause", "virsh suspend", "virsh resume",
                "agent suspend", "agent resume", "virsh managedsave", "virsh start"};
        for (int round = 1; round <= n; round++) {
            long[] ms = new long[8];
            for (int half = 0; half < 2; half++) {
                boolean agentTurn = (round + half) % 2 == 0;
                if (agentTurn) {
                    ms[0] = agentCall(amqp, "pause", uuid, "{}");
                    ms[1] = agentCall(amqp, "unpause", uuid, "{}");
                    ms[4] = agentCall(amqp, "suspend", uuid, "{}");
                    ms[5] = agentCall(amqp, "resume", uuid, "{}");
                } else {
                    ms[2] = virsh("suspend", domain);
                    ms[3] = virsh("resume", domain);
                    ms[6] = virsh("managedsave", domain);
                    ms[7] = virsh("start", domain);
                }
            }
            StringBuilder line = new StringBuilder("round " + round + ":");
            for (int i = 0; i < 8; i++) {
                stats[i].addNanos(ms[i]);
                line.append(String.format(Locale.ROOT, " %s %.0f ms;", names[i], ms[i] / 1e6));
            }
            System.out.println(line);
        }
        for (int i = 0; i < 8; i++) {
            System.out.printf("%-18s %s%n", names[i], stats[i]);
        }
        System.out.printf(Locale.ROOT, "ratios of medians: pause/suspend %.2f, unpause/resume %.2f, "
                        + "suspend/managedsave %.2f, resume/start %.2f%n",
                stats[0].median() / stats[2].median(), stats[1].median() / stats[3].median(),
                stats[4].median() / stats[6].median(), stats[5].median() / stats[7].median());
    }

    /** Publish to the final event, in nanoseconds; a failure ends the benchmark. */
    private static long agentCall(BenchAmqp amqp, String command, String uuid, String args) throws Exception {
        return amqp.call(command, uuid, args, TIMEOUT);
    }

    /** One virsh call on the same connection URI, in nanoseconds (its process start included, as an operator's). */
    private static long virsh(String verb, String domain) {
        long t = System.nanoTime();
        Commands.check(Duration.ofMinutes(3), "virsh", "-q", "-c", URI, verb, domain);
        return System.nanoTime() - t;
    }
}

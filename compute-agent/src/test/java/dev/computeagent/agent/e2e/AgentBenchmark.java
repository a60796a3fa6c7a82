package dev.computeagent.agent.e2e;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.Virsh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Benchmarks of the agent (not run by the build): start-up time, spawn latency with a warm cache
 * against the raw floor (qemu-img create + virsh define + virsh start of the agent's own XML), RSS
 * idle and with N running tiny guests, and rejected-message throughput with valid commands mixed in.
 *
 * <p>{@code ./mvnw -q -pl compute-agent test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.computeagent.agent.e2e.AgentBenchmark [-Dexec.args="50"]}
 */
public final class AgentBenchmark {

    public static void main(String[] args) throws Exception {
        int guests = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        try (AgentFixture fx = new AgentFixture()) {
            long t0 = System.nanoTime();
            fx.startAgent();
            System.out.printf("start-up (process start -> consuming): %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            Thread.sleep(3000); // let the JVM settle before measuring idle RSS
            System.out.printf("RSS idle: %d MiB%n", rssMiB(fx.agent().pid()));

            // warm the cache
            String warm = UUID.randomUUID().toString();
            spawn(fx, warm, "warm");
            String template = Virsh.run("virsh", "-c", "qemu:///system", "dumpxml", "instance-" + warm);
            delete(fx, warm);

            List<Long> agent = new ArrayList<>();
            List<Long> floor = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                String uuid = UUID.randomUUID().toString();
                long s = System.nanoTime();
                spawn(fx, uuid, "lat-" + i);
                agent.add(System.nanoTime() - s);
                delete(fx, uuid);
                floor.add(rawFloor(fx, template, warm));
            }
            System.out.printf("spawn publish->end, warm cache, median of 7: agent %d ms, raw floor %d ms (ratio %.2f)%n",
                    median(agent) / 1_000_000, median(floor) / 1_000_000, (double) median(agent) / median(floor));

            List<String> many = new ArrayList<>();
            for (int i = 0; i < guests; i++) {
                String uuid = UUID.randomUUID().toString();
                many.add(uuid);
                String id = "many-" + uuid;
                fx.client.command(envelope("spawn", id, uuid, AgentFixture.spawnArgs("m" + i, AgentFixture.TINY, 0,
                        "{}")), "c-" + id);
            }
            for (String uuid : many) {
                fx.client.awaitReply("c-many-" + uuid, Duration.ofMinutes(5));
            }
            Thread.sleep(2000);
            System.out.printf("RSS with %d running tiny guests: %d MiB%n", guests, rssMiB(fx.agent().pid()));

            int invalid = 5000;
            byte[] garbage = "{\"version\":1,\"command\":\"nope\"}".getBytes(StandardCharsets.UTF_8);
            long r0 = System.nanoTime();
            List<Long> validLatency = new ArrayList<>();
            for (int i = 0; i < invalid; i++) {
                fx.client.publish("compute." + fx.host, garbage, null);
                if (i % 500 == 0) {
                    String id = "valid-" + i;
                    long v0 = System.nanoTime();
                    fx.client.command(envelope("delete", id, UUID.randomUUID().toString(), "{}"), "c-" + id);
                    fx.client.awaitReply("c-" + id, Duration.ofMinutes(2));
                    validLatency.add(System.nanoTime() - v0);
                }
            }
            await().atMost(Duration.ofMinutes(5)).until(() ->
                    fx.client.events(j -> j.path("event").asString().equals("command.rejected")).size() >= invalid);
            double seconds = (System.nanoTime() - r0) / 1e9;
            System.out.printf("rejected %d invalid messages in %.1f s (%.0f/s); valid delete replies meanwhile: "
                    + "median %d ms, max %d ms%n", invalid, seconds, invalid / seconds,
                    median(validLatency) / 1_000_000, validLatency.stream().mapToLong(Long::longValue).max().orElse(0)
                            / 1_000_000);
            fx.client.drainDeadLetters();
            for (String uuid : many) {
                delete(fx, uuid);
            }
        }
    }

    private static void spawn(AgentFixture fx, String uuid, String name) throws Exception {
        String id = "s-" + uuid;
        fx.client.command(envelope("spawn", id, uuid, AgentFixture.spawnArgs(name, AgentFixture.TINY, 0, "{}")),
                "c-" + id);
        var reply = fx.client.awaitReply("c-" + id, Duration.ofMinutes(2)).json();
        if (!reply.path("event").asString().equals("instance.spawn.end")) {
            throw new IllegalStateException("spawn failed: " + reply);
        }
    }

    private static void delete(AgentFixture fx, String uuid) throws Exception {
        String id = "d-" + uuid;
        fx.client.command(envelope("delete", id, uuid, "{}"), "c-" + id);
        fx.client.awaitReply("c-" + id, Duration.ofMinutes(2));
    }

    /** qemu-img create (overlay on the same base) + define + start of the agent's XML, renamed. */
    private static long rawFloor(AgentFixture fx, String template, String templateUuid) throws Exception {
        String uuid = UUID.randomUUID().toString();
        Path dir = Files.createDirectories(fx.root.resolve("floor").resolve(uuid));
        Path base;
        try (var bases = Files.list(fx.stateDir.resolve("_base"))) {
            base = bases.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        String xml = template.replace(fx.instanceDir(templateUuid).toString(), dir.toString())
                .replace(templateUuid, uuid);
        Path xmlFile = dir.resolve("domain.xml");
        Files.writeString(xmlFile, xml);
        long s = System.nanoTime();
        Virsh.run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", base.toString(),
                dir.resolve("disk").toString());
        Virsh.run("virsh", "-c", "qemu:///system", "define", xmlFile.toString());
        try {
            Virsh.run("virsh", "-c", "qemu:///system", "start", "instance-" + uuid);
            return System.nanoTime() - s;
        } finally {
            try {
                Virsh.run("virsh", "-c", "qemu:///system", "destroy", "instance-" + uuid);
            } catch (IllegalStateException notRunning) {
                // start failed: nothing to destroy
            }
            Virsh.run("virsh", "-c", "qemu:///system", "undefine", "instance-" + uuid);
        }
    }

    private static long rssMiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    private static long median(List<Long> values) {
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    }

    private AgentBenchmark() {
    }
}

package dev.computeagent.agent.bench;

import dev.computeagent.agent.testing.IsolatedNetwork;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.testing.RealGuestImage;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Volume and NIC hot plug through the packaged agent (publish → final event) against {@code virsh
 * attach-device} / {@code detach-device --live --config} of the very XML the agent attached (read back from
 * the domain), on the same running Debian guest (detach needs a guest that answers ACPI hot-unplug; a boot
 * sector does not), interleaved per round, every round printed (benchmarks/devices.md). A detach counts
 * until the device is gone from the domain: the agent's waits for libvirt's device-removed event; virsh's
 * returns after libvirt's own short wait, and when the device is still there then, it is polled until gone.
 * Arguments {@code key=value}: {@code jar}, {@code n} (rounds, default 10), {@code boot} (ISO-8601 wait for
 * the guest's login prompt, default PT15M). Not run by the build; everything it creates is removed.
 */
public final class DeviceBenchmark {

    private static final String URI = "qemu:///system";
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final String NIC_MAC = "52:54:00:be:0c:01";
    private static final String[] NAMES = {"agent attach_volume", "agent detach_volume", "virsh attach (disk)",
        "virsh detach (disk)", "agent attach_interface", "agent detach_interface", "virsh attach (nic)",
        "virsh detach (nic)"};

    private DeviceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("jar",
                Path.of("compute-agent/target/compute-agent.jar").toAbsolutePath().toString(), "n", "10",
                "boot", "PT15M"));
        for (String a : args) {
            int eq = a.indexOf('=');
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        System.out.printf("device benchmark %s, nproc %d, load average %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), loadAverage());
        Path root = Files.createTempDirectory(Path.of("/var/tmp"), "device-bench-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        String host = "device-bench-" + UUID.randomUUID().toString().substring(0, 8);
        String uuid = UUID.randomUUID().toString();
        try (IsolatedNetwork network = IsolatedNetwork.create();
             BenchAmqp amqp = new BenchAmqp(System.getenv().getOrDefault("RABBITMQ_HOST", "127.0.0.1"),
                     Integer.parseInt(System.getenv().getOrDefault("RABBITMQ_PORT", "5672")), host)) {
            Path store = debianStore(root.resolve("images"));
            Path volume = root.resolve("volume.raw");
            Commands.check(Duration.ofMinutes(1), "qemu-img", "create", "-q", "-f", "raw", volume.toString(), "64M");
            Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("rw-rw-rw-"));
            Map<String, String> env = Map.of("AGENT_HOST", host, "AGENT_STATE_DIR", root.resolve("state").toString(),
                    "AGENT_IMAGE_STORE_URL", "file://" + store, "AGENT_LIBVIRT_URI", URI,
                    "AGENT_LIBVIRT_VIRTTYPE", RealGuestImage.VIRT_TYPE, "AGENT_SHUTDOWN_TIMEOUT", "30s");
            List<String> jvm = Arrays.asList(AgentBenchmark.TUNED.split("\\s+"));
            try (AgentJar agent = AgentJar.start(Path.of(opts.get("jar")), jvm, env, root.resolve("agent.log"))) {
                agent.awaitReady(Duration.ofMinutes(2));
                agentCall(amqp, "spawn", uuid, "{\"name\":\"device-bench\",\"image_id\":\"debian\","
                        + "\"flavor\":{\"vcpus\":1,\"memory_mb\":512,\"root_gb\":3}}");
                try {
                    awaitLogin(root.resolve("state/instances/" + uuid + "/console.log"),
                            Duration.parse(opts.get("boot")));
                    rounds(amqp, uuid, volume, network.name(), Integer.parseInt(opts.get("n")));
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

    private static void rounds(BenchAmqp amqp, String uuid, Path volume, String network, int n) throws Exception {
        String domain = "instance-" + uuid;
        String volumeArgs = "{\"volume_id\":\"bench-volume\",\"connection_info\":{\"driver_volume_type\":\"file\","
                + "\"data\":{\"path\":\"" + volume + "\",\"format\":\"raw\"}}}";
        String nicArgs = "{\"nic\":{\"type\":\"network\",\"source\":\"" + network + "\",\"mac\":\"" + NIC_MAC + "\"}}";
        // the XML the agent attaches, for virsh to attach the same
        agentCall(amqp, "attach_volume", uuid, volumeArgs);
        agentCall(amqp, "attach_interface", uuid, nicArgs);
        String live = Commands.check(Duration.ofMinutes(1), "virsh", "-q", "-c", URI, "dumpxml", domain);
        Path diskXml = Files.writeString(Files.createTempFile("bench-disk-", ".xml"),
                element(live, "disk", volume.toString()));
        Path nicXml = Files.writeString(Files.createTempFile("bench-nic-", ".xml"), element(live, "interface", NIC_MAC));
        agentCall(amqp, "detach_volume", uuid, "{\"volume_id\":\"bench-volume\",\"timeout_s\":300}");
        agentCall(amqp, "detach_interface", uuid, "{\"mac\":\"" + NIC_MAC + "\",\"timeout_s\":300}");
        Stats[] stats = new Stats[NAMES.length];
        Arrays.setAll(stats, i -> new Stats());
        try {
            for (int round = 1; round <= n; round++) {
                long[] ns = new long[NAMES.length];
                for (int half = 0; half < 2; half++) {
                    if ((round + half) % 2 == 0) {
                        ns[0] = agentCall(amqp, "attach_volume", uuid, volumeArgs);
                        ns[1] = agentCall(amqp, "detach_volume", uuid,
                                "{\"volume_id\":\"bench-volume\",\"timeout_s\":300}");
                        ns[4] = agentCall(amqp, "attach_interface", uuid, nicArgs);
                        ns[5] = agentCall(amqp, "detach_interface", uuid, "{\"mac\":\"" + NIC_MAC
                                + "\",\"timeout_s\":300}");
                    } else {
                        ns[2] = virsh("attach-device", domain, diskXml);
                        ns[3] = virshDetach(domain, diskXml, volume.toString());
                        ns[6] = virsh("attach-device", domain, nicXml);
                        ns[7] = virshDetach(domain, nicXml, NIC_MAC);
                    }
                }
                StringBuilder line = new StringBuilder("round " + round + ":");
                for (int i = 0; i < NAMES.length; i++) {
                    stats[i].addNanos(ns[i]);
                    line.append(String.format(Locale.ROOT, " %s %.0f ms;", NAMES[i], ns[i] / 1e6));
                }
                System.out.println(line + " load " + loadAverage());
            }
        } finally {
            Files.deleteIfExists(diskXml);
            Files.deleteIfExists(nicXml);
        }
        for (int i = 0; i < NAMES.length; i++) {
            System.out.printf("%-24s %s%n", NAMES[i], stats[i]);
        }
        System.out.printf(Locale.ROOT, "ratios of medians (agent/virsh): attach volume %.2f, detach volume %.2f, "
                        + "attach nic %.2f, detach nic %.2f%n", stats[0].median() / stats[2].median(),
                stats[1].median() / stats[3].median(), stats[4].median() / stats[6].median(),
                stats[5].median() / stats[7].median());
    }

    /** The live domain's first {@code <tag>} element that mentions {@code marker}, as attach-device XML. */
    private static String element(String domainXml, String tag, String marker) {
        Matcher m = Pattern.compile("<" + tag + "\\b.*?</" + tag + ">", Pattern.DOTALL).matcher(domainXml);
        while (m.find()) {
            if (m.group().contains(marker)) {
                // libvirt's own alias is refused on attach; the agent's user alias (ua-) is kept
                return m.group().replaceAll("<alias name='(?!ua-)[^']*'/>", "");
            }
        }
        throw new IllegalStateException("no <" + tag + "> with " + marker + " in the domain:\n" + domainXml);
    }

    private static void awaitLogin(Path console, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(console) && Files.readString(console).contains("login:")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the guest did not reach its login prompt within " + timeout);
    }

    /** Publish to the final event, in nanoseconds; a failure ends the benchmark. */
    private static long agentCall(BenchAmqp amqp, String command, String uuid, String args) throws Exception {
        return amqp.call(command, uuid, args, TIMEOUT);
    }

    private static long virsh(String verb, String domain, Path xml) {
        long t = System.nanoTime();
        Commands.check(TIMEOUT, "virsh", "-q", "-c", URI, verb, domain, xml.toString(), "--live", "--config");
        return System.nanoTime() - t;
    }

    /** detach-device, then (when libvirt's own wait ended first) until the device is gone from the live domain. */
    private static long virshDetach(String domain, Path xml, String marker) throws InterruptedException {
        long t = System.nanoTime();
        Commands.check(TIMEOUT, "virsh", "-q", "-c", URI, "detach-device", domain, xml.toString(), "--live",
                "--config");
        long returned = System.nanoTime();
        long checkStart = System.nanoTime();
        boolean gone = !Commands.check(TIMEOUT, "virsh", "-q", "-c", URI, "dumpxml", domain).contains(marker);
        if (gone) {
            return returned - t; // the check itself is not the operator's cost
        }
        long deadline = checkStart + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(20);
            if (!Commands.check(TIMEOUT, "virsh", "-q", "-c", URI, "dumpxml", domain).contains(marker)) {
                return System.nanoTime() - t;
            }
        }
        throw new IllegalStateException("the guest never released the device " + marker);
    }

    /** A directory store holding the real Debian guest image as {@code debian}. */
    private static Path debianStore(Path store) throws Exception {
        Files.createDirectories(store);
        Path image = store.resolve("debian");
        Files.copy(RealGuestImage.path(), image);
        String sha512 = Commands.check(Duration.ofMinutes(2), "sha512sum", image.toString()).split("\\s+")[0];
        Files.writeString(store.resolve("debian.json"), "{\"id\":\"debian\",\"status\":\"active\","
                + "\"disk_format\":\"qcow2\",\"container_format\":\"bare\",\"size\":" + Files.size(image) + ","
                + "\"os_hash_algo\":\"sha512\",\"os_hash_value\":\"" + sha512 + "\"}");
        return store;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}

package dev.computeagent.agent.bench;

import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.configdrive.ConfigDriveContent;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.SshKeys;
import dev.computeagent.virt.NicSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What a config drive adds to a spawn: {@link ConfigDriveBuilder#build} (staging files, genisoimage under
 * prlimit, fsync, rename) of a typical drive (user data, a key, a NIC), N times in a directory on the
 * file system of the agent's state; the first five are warm-up. Args: N [directory, default /var/tmp].
 */
public final class ConfigDriveBenchmark {

    private ConfigDriveBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        Path dir = Files.createTempDirectory(Path.of(args.length > 1 ? args[1] : "/var/tmp"), "config-drive-bench-");
        ConfigDriveBuilder builder = ConfigDrives.builder();
        Stats stats = new Stats();
        try {
            for (int i = 0; i < n + 5; i++) {
                UUID uuid = UUID.randomUUID();
                ConfigDriveContent content = new ConfigDriveContent(uuid, "vm-" + i, Map.of("role", "db"),
                        Optional.of("#cloud-config\nhostname: x\n".getBytes(StandardCharsets.UTF_8)),
                        Map.of("alice", SshKeys.ED25519), List.of(new NicSpec(NicSpec.Type.NETWORK,
                        Optional.of("default"), Optional.of("fa:16:3e:00:00:01"), "virtio")), "nova");
                long started = System.nanoTime();
                builder.build(dir.resolve(uuid.toString()).resolve("disk.config"), content);
                if (i >= 5) {
                    stats.addNanos(System.nanoTime() - started);
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.printf(Locale.ROOT, "config drive build, n=%d: median %.1f ms, p90 %.1f ms, min %.1f ms%n",
                stats.count(), stats.median(), stats.percentile(90), stats.percentile(0));
    }
}

package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.LibvirtComputeDriver;
import dev.computeagent.virt.libvirt.LibvirtDriverSettings;
import dev.computeagent.virt.libvirt.designer.DesignerOptions;
import dev.computeagent.virt.libvirt.designer.DomainDesigner;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * Spawn (qemu-img overlay + define + start) through {@link LibvirtComputeDriver} versus the raw
 * libvirt-java calls for the same domain XML, interleaved in one run against the real libvirtd.
 * Not run by {@code verify}. Arguments: [iterations=20] [virt type auto|kvm|qemu = qemu].
 *
 * <pre>./mvnw -q -pl compute-agent test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.computeagent.virt.libvirt.binding.SpawnBenchmark</pre>
 */
public final class SpawnBenchmark {

    private static final String URI = "qemu:///system";
    private static final int WARMUP = 3;

    private SpawnBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        VirtType virtType = VirtType.fromConfig(args.length > 1 ? args[1] : "qemu");
        Path root = Files.createTempDirectory(Path.of("/var/tmp"), "ca-spawn-bench-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path base = TinyGuestImage.write(root.resolve("base.raw"));
        DomainDesigner designer = new DomainDesigner(DesignerOptions.defaults(virtType));
        List<Long> driverNanos = new ArrayList<>();
        List<Long> rawNanos = new ArrayList<>();
        try (LibvirtComputeDriver driver = LibvirtComputeDriver.connect(LibvirtDriverSettings.defaults(URI, virtType))) {
            Connect raw = new Connect(URI, false);
            try {
                for (int i = 0; i < WARMUP + iterations; i++) {
                    long viaDriver = spawnThroughDriver(driver, root, base);
                    long viaRaw = spawnRaw(raw, designer, root, base);
                    if (i >= WARMUP) {
                        driverNanos.add(viaDriver);
                        rawNanos.add(viaRaw);
                    }
                }
            } finally {
                raw.close();
            }
        } finally {
            deleteTree(root);
        }
        report(iterations, virtType, driverNanos, rawNanos);
    }

    private static long spawnThroughDriver(LibvirtComputeDriver driver, Path root, Path base) {
        UUID uuid = UUID.randomUUID();
        Path dir = instanceDir(root, uuid);
        long start = System.nanoTime();
        Path disk = overlay(base, dir);
        driver.spawn(spec(uuid, disk, dir));
        long elapsed = System.nanoTime() - start;
        driver.destroy(uuid);
        return elapsed;
    }

    private static long spawnRaw(Connect connect, DomainDesigner designer, Path root, Path base) throws Exception {
        UUID uuid = UUID.randomUUID();
        Path dir = instanceDir(root, uuid);
        // the same XML the driver defines, rendered outside the timed section
        String xml = DomainXml.render(designer.design(spec(uuid, dir.resolve("disk"), dir)));
        long start = System.nanoTime();
        overlay(base, dir);
        Domain domain = connect.domainDefineXML(xml);
        domain.create();
        long elapsed = System.nanoTime() - start;
        domain.destroy();
        domain.undefine();
        domain.free();
        return elapsed;
    }

    private static InstanceSpec spec(UUID uuid, Path disk, Path dir) {
        InstanceMetadata metadata = new InstanceMetadata("bench", new Flavor(1, 64, 1, 0), "tiny", "bench-host",
                Map.of(), Map.of());
        return new InstanceSpec(uuid, metadata, List.of(DiskSpec.qcow2Root(disk)), List.of(),
                dir.resolve("console.log"), false);
    }

    private static Path instanceDir(Path root, UUID uuid) {
        try {
            Path dir = Files.createDirectory(root.resolve(uuid.toString()));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path overlay(Path base, Path dir) {
        Path disk = dir.resolve("disk");
        Commands.check(Duration.ofSeconds(20), "qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                base.toString(), disk.toString());
        return disk;
    }

    private static void report(int iterations, VirtType virtType, List<Long> driver, List<Long> raw) {
        double driverMedian = percentile(driver, 50);
        double rawMedian = percentile(raw, 50);
        double driverP90 = percentile(driver, 90);
        double rawP90 = percentile(raw, 90);
        System.out.printf(Locale.ROOT, "spawn (overlay + define + start), %s, N=%d each, interleaved, %d warm-up%n",
                virtType.xmlName(), iterations, WARMUP);
        System.out.printf(Locale.ROOT, "| path | median ms | p90 ms |%n|---|---|---|%n");
        System.out.printf(Locale.ROOT, "| raw libvirt-java | %.1f | %.1f |%n", rawMedian, rawP90);
        System.out.printf(Locale.ROOT, "| LibvirtComputeDriver | %.1f | %.1f |%n", driverMedian, driverP90);
        System.out.printf(Locale.ROOT, "driver overhead: median %+.1f%%, p90 %+.1f%%%n",
                100 * (driverMedian / rawMedian - 1), 100 * (driverP90 / rawP90 - 1));
    }

    private static double percentile(List<Long> nanos, int percentile) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}

package dev.computeagent.agent.bench;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.ImageUpload;
import dev.computeagent.image.StoredImage;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.GuestAgentStatus;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.RootDiskCopy;
import dev.computeagent.virt.libvirt.LibvirtComputeDriver;
import dev.computeagent.virt.libvirt.LibvirtDriverSettings;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.testing.RealGuestImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Snapshot of a running Debian 12 guest (2 GiB virtual, its guest agent answering) to the HTTP Glance stub: what
 * the {@code snapshot} handler runs ({@code LibvirtComputeDriver.copyRootDisk}: block copy, fsfreeze, abort,
 * thaw; then {@code ImageCache.upload}: POST, PUT streaming with MD5 + SHA-512, GET to verify) against
 * {@code qemu-img convert -U -O qcow2} of the running guest's overlay + {@code curl -T} of the result to the same
 * store, interleaved in one run (anchor first in odd rounds, second in even ones). Not a test: run by hand
 * (benchmarks/snapshot.md). Arguments: rounds (default 5); how long to wait for the guest agent before measuring
 * (default PT15M; PT0S measures at once, the guest still booting: crash-consistent copies, the freeze refused at
 * once).
 */
public final class SnapshotBenchmark {

    private static final String URI_SYSTEM = "qemu:///system";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SnapshotBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Duration agentWait = args.length > 1 ? Duration.parse(args[1]) : Duration.ofMinutes(15);
        Path image = RealGuestImage.path();
        Path root = Files.createTempDirectory(Path.of("/var/tmp"), "ca-snapshot-bench-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        UUID uuid = UUID.randomUUID();
        Path dir = Files.createDirectories(root.resolve(uuid.toString()));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path disk = dir.resolve("disk");
        Commands.check("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", image.toString(),
                disk.toString(), Long.toString(3L << 30));
        List<Double> ours = new ArrayList<>();
        List<Double> anchor = new ArrayList<>();
        LibvirtDriverSettings settings = LibvirtDriverSettings.defaults(URI_SYSTEM,
                VirtType.fromConfig(RealGuestImage.VIRT_TYPE));
        try (LibvirtComputeDriver driver = LibvirtComputeDriver.connect(settings);
             GlanceStubServer glance = GlanceStubServer.start();
             ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(root.resolve("state"), glance.url()))) {
            driver.spawn(new InstanceSpec(uuid, new InstanceMetadata("snapshot-bench", new Flavor(1, 512, 3, 0),
                    "debian-12", "bench-host", Map.of(), Map.of()), List.of(DiskSpec.qcow2Root(disk)), List.of(),
                    dir.resolve("console.log"), false, true));
            try {
                long bootStart = System.nanoTime();
                GuestAgentStatus agent = driver.guestAgent(uuid, Duration.ofSeconds(1));
                while (agent != GuestAgentStatus.RESPONSIVE && System.nanoTime() - bootStart < agentWait.toNanos()) {
                    Thread.sleep(2000);
                    agent = driver.guestAgent(uuid, Duration.ofSeconds(5));
                }
                System.out.printf("guest agent %s after %.0f s; load %s%n", agent,
                        (System.nanoTime() - bootStart) / 1e9, Files.readString(Path.of("/proc/loadavg")).strip());
                for (int round = 1; round <= rounds; round++) {
                    double a;
                    double o;
                    if (round % 2 == 1) {
                        a = anchor(glance, disk, dir, round);
                        o = ours(driver, cache, uuid, dir, round);
                    } else {
                        o = ours(driver, cache, uuid, dir, round);
                        a = anchor(glance, disk, dir, round);
                    }
                    anchor.add(a);
                    ours.add(o);
                    System.out.printf("round %d: qemu-img convert + curl -T %.2f s, snapshot (copyRootDisk + upload) "
                            + "%.2f s, ratio %.2fx; load %s%n", round, a, o, o / a,
                            Files.readString(Path.of("/proc/loadavg")).strip());
                }
            } finally {
                driver.destroy(uuid);
            }
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        double a = median(anchor);
        double o = median(ours);
        System.out.printf("median of %d: anchor %.2f s, snapshot %.2f s, ratio %.2fx%n", rounds, a, o, o / a);
    }

    private static double ours(LibvirtComputeDriver driver, ImageCache cache, UUID uuid, Path dir, int round)
            throws IOException {
        Path copy = dir.resolve("snapshot-ours-" + round + ".qcow2");
        long start = System.nanoTime();
        RootDiskCopy made = driver.copyRootDisk(uuid, copy);
        long copied = System.nanoTime();
        StoredImage stored = cache.upload(new ImageUpload("ours-" + round, "bench", made.file(), "qcow2",
                Map.of(ImageUpload.INSTANCE_UUID, uuid.toString())));
        Files.delete(copy);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("  ours: %s, %d bytes, copy %.2f s + upload %.2f s%n", made.consistency(), stored.size(),
                (copied - start) / 1e9, seconds - (copied - start) / 1e9);
        return seconds;
    }

    private static double anchor(GlanceStubServer glance, Path disk, Path dir, int round) throws Exception {
        String id = "anchor-" + round;
        Path copy = dir.resolve("snapshot-anchor-" + round + ".qcow2");
        HTTP.send(HttpRequest.newBuilder(URI.create(glance.url() + "/v2/images"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"name\":\"anchor\","
                        + "\"disk_format\":\"qcow2\",\"container_format\":\"bare\"}")).build(),
                HttpResponse.BodyHandlers.discarding());
        long start = System.nanoTime();
        Commands.check(Duration.ofMinutes(30), "qemu-img", "convert", "-U", "-q", "-f", "qcow2", "-O", "qcow2",
                disk.toString(), copy.toString());
        long converted = System.nanoTime();
        Commands.check(Duration.ofMinutes(30), "curl", "-sSf", "-T", copy.toString(), "-H",
                "Content-Type: application/octet-stream", glance.url() + "/v2/images/" + id + "/file");
        Files.delete(copy);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("  anchor: convert %.2f s + curl %.2f s%n", (converted - start) / 1e9,
                seconds - (converted - start) / 1e9);
        return seconds;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}

package dev.computeagent.image.bench;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.image.testing.TestImages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Cold-cache fetch of a 1 GiB qcow2 image (download + verify + convert to raw) from a local HTTP
 * server, against {@code curl -o} + {@code sha512sum} + {@code qemu-img convert} of the same file in
 * the same run; then overlay creation. Not a test: run it by hand (see benchmarks/image-cache.md).
 * Argument: work directory (default: a temp dir); optional second: rounds (default 3).
 */
public final class ImageCacheBenchmark {

    private static final long GIB = 1L << 30;

    private ImageCacheBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("image-cache-bench");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Files.createDirectories(work);
        Path qcow2 = work.resolve("image.qcow2");
        if (!Files.exists(qcow2)) {
            Path raw = work.resolve("image.raw");
            writeRandom(raw, GIB);
            TestImages.qemuImg("convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString());
            Files.delete(raw);
        }
        System.out.printf("image: %s, %d bytes (qcow2, 1 GiB virtual)%n", qcow2, Files.size(qcow2));
        try (GlanceStubServer glance = GlanceStubServer.start()) {
            glance.addImage("bench", qcow2).diskFormat("qcow2");
            List<Double> ours = new ArrayList<>();
            List<Double> baseline = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                baseline.add(baseline(glance, work));
                ours.add(cacheFetch(glance, work));
                System.out.printf("round %d: baseline %.2f s, image-cache %.2f s%n", round,
                        baseline.get(baseline.size() - 1), ours.get(ours.size() - 1));
            }
            double b = median(baseline);
            double o = median(ours);
            System.out.printf("median: baseline (curl -o + sha512sum + qemu-img convert) %.2f s, "
                    + "image-cache fetch %.2f s, ratio %.2fx%n", b, o, o / b);
            overlays(glance, work);
        }
    }

    private static double baseline(GlanceStubServer glance, Path work) throws Exception {
        Path file = work.resolve("curl.qcow2");
        Path out = work.resolve("curl.raw");
        Files.deleteIfExists(file);
        Files.deleteIfExists(out);
        long start = System.nanoTime();
        run("curl", "-sS", "-f", "-o", file.toString(), glance.url() + "/v2/images/bench/file");
        run("sha512sum", file.toString());
        run("qemu-img", "convert", "-q", "-f", "qcow2", "-O", "raw", file.toString(), out.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.delete(file);
        Files.delete(out);
        return seconds;
    }

    private static double cacheFetch(GlanceStubServer glance, Path work) throws Exception {
        Path state = work.resolve("state");
        deleteTree(state);
        try (ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(state, glance.url()))) {
            long start = System.nanoTime();
            cache.fetch("bench");
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private static void overlays(GlanceStubServer glance, Path work) throws Exception {
        Path state = work.resolve("state");
        try (ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(state, glance.url()))) {
            cache.fetch("bench");
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                cache.createOverlay("bench", state.resolve("instances/i-" + i + "/disk"), 20 * GIB);
                times.add((System.nanoTime() - start) / 1e6);
            }
            System.out.printf("overlay creation (cached base, 20 GiB overlay), 20 runs: median %.1f ms, max %.1f ms%n",
                    median(times), times.stream().mapToDouble(Double::doubleValue).max().orElse(0));
        }
        deleteTree(state);
    }

    private static void run(String... argv) {
        Commands.check(Duration.ofMinutes(10), argv);
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Random random = new Random(42);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}

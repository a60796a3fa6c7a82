package dev.computeagent.image.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageCacheOptions;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageChecksumMismatchException;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.image.testing.TestImages;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One download per image however many callers, threads or processes ask at once. */
class SingleFlightHttpQemuImgTest {

    private static final int CALLERS = 20;

    @TempDir
    Path images;
    @TempDir
    Path stateDir;
    private GlanceStubServer glance;
    private DefaultImageCache cache;
    private final ExecutorService pool = Executors.newFixedThreadPool(CALLERS);

    @BeforeEach
    void start() {
        TestImages.requireQemuImg();
        glance = GlanceStubServer.start();
        cache = DefaultImageCache.open(new ImageCacheSettings(stateDir, glance.url(), Optional.empty(), true,
                Duration.ofHours(24), Optional.empty(), Duration.ofSeconds(30), 4,
                ImageCacheSettings.DEFAULT_MIN_DOWNLOAD_RATE),
                ImageCacheOptions.defaults().withBackoff(Duration.ofMillis(5), Duration.ofMillis(20)));
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        cache.close();
        glance.close();
    }

    @Test
    void twentyConcurrentFetchesDownloadOnceAndGetTheSameImage() throws Exception {
        GlanceStubServer.StubImage image = glance.addImage("shared",
                TestImages.qcow2(images.resolve("a.qcow2"), 1 << 20)).diskFormat("qcow2").holdDownloads();
        List<Object> outcomes = fetchConcurrently("shared", image);
        assertThat(glance.downloads("shared")).isEqualTo(1);
        assertThat(outcomes).hasSize(CALLERS).allSatisfy(o -> assertThat(o).isInstanceOf(CachedImage.class));
        assertThat(outcomes.stream().distinct()).hasSize(1);
        assertThat(cache.statistics().downloads()).isEqualTo(1);
        assertThat(cache.statistics().misses()).isEqualTo(CALLERS);
    }

    @Test
    void twentyConcurrentFetchesOfABadImageDownloadOnceAndShareTheSameError() throws Exception {
        GlanceStubServer.StubImage image = glance.addImage("bad", TestImages.raw(images.resolve("a.raw"), 65536))
                .osHashValue("cd".repeat(64)).holdDownloads();
        List<Object> outcomes = fetchConcurrently("bad", image);
        assertThat(glance.downloads("bad")).isEqualTo(1);
        assertThat(outcomes).hasSize(CALLERS).allSatisfy(o -> assertThat(o).isInstanceOf(ImageChecksumMismatchException.class));
        assertThat(outcomes).allSatisfy(o -> assertThat(o).isSameAs(outcomes.get(0)));
        assertThat(cache.statistics().refusals()).containsEntry("CHECKSUM_MISMATCH", 1L);
        CacheAssertions.assertNothingCached(cache, stateDir);
    }

    /** All callers are waiting on one held download before it is released: none can arrive late. */
    private List<Object> fetchConcurrently(String id, GlanceStubServer.StubImage image) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Object>> futures = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            futures.add(pool.submit(() -> {
                go.await();
                try {
                    return cache.fetch(id);
                } catch (RuntimeException e) {
                    return e;
                }
            }));
        }
        go.countDown();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> glance.downloads(id) == 1 && cache.callersWaitingForImages() == CALLERS);
        image.releaseDownloads();
        List<Object> outcomes = new ArrayList<>();
        for (Future<Object> f : futures) {
            outcomes.add(f.get(30, TimeUnit.SECONDS));
        }
        return outcomes;
    }

    @Test
    void fetchInASecondProcessWaitsOnTheFileLockAndReusesTheFirstDownload() throws Exception {
        GlanceStubServer.StubImage image = glance.addImage("xproc",
                TestImages.raw(images.resolve("a.raw"), 1 << 20)).holdDownloads();
        CompletableFuture<CachedImage> mine = CompletableFuture.supplyAsync(() -> cache.fetch("xproc"), pool);
        await().atMost(Duration.ofSeconds(20)).until(() -> glance.downloads("xproc") == 1);

        Process child = startChild("xproc");
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = readLines(child, lines);
        await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains("LOCK-HELD-ELSEWHERE=true"));
        // the child is now queued behind our lock: /proc/locks shows its blocked request
        await().atMost(Duration.ofSeconds(30)).until(() -> blockedOnLock(child.pid()));
        image.releaseDownloads();

        CachedImage result = mine.get(30, TimeUnit.SECONDS);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join(5000);
        assertThat(child.exitValue()).isZero();
        assertThat(lines).contains("RESULT " + result.path() + " raw " + result.virtualSize(),
                "STATS downloads=0 misses=1");
        assertThat(glance.downloads("xproc")).isEqualTo(1);
    }

    private Process startChild(String id) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(java, "-cp", classpath, CrossProcessFetchMain.class.getName(), stateDir.toString(),
                glance.url().toString(), id).redirectErrorStream(true).start();
    }

    private static Thread readLines(Process child, List<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child exited
            }
        }, "child-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean blockedOnLock(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/locks")).stream()
                .anyMatch(l -> l.contains("->") && l.matches(".*\\bPOSIX\\b.*\\b" + pid + "\\b.*"));
    }
}

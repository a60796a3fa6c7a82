package dev.computeagent.image.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.image.CachedImage;
import dev.computeagent.image.GcReport;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Garbage collection reads real overlays' backing chains; in-use bases survive any age or quota. */
class GarbageCollectionQemuImgTest {

    private static final int IMAGE_BYTES = 64 * 1024;

    @TempDir
    Path store;
    @TempDir
    Path stateDir;

    @BeforeEach
    void images() {
        TestImages.requireQemuImg();
        for (String id : List.of("a", "b", "c", "d")) {
            TestImages.raw(store.resolve(id), IMAGE_BYTES);
        }
    }

    private ImageCache open(Optional<Long> quota) {
        return ImageCaches.open(new ImageCacheSettings(stateDir, store.toUri(), Optional.empty(), true,
                Duration.ofHours(24), quota, Duration.ofSeconds(5), 2,
                ImageCacheSettings.DEFAULT_MIN_DOWNLOAD_RATE));
    }

    private Path disk(String instance) {
        return stateDir.resolve("instances").resolve(instance).resolve("disk");
    }

    private static void lastUsed(CachedImage image, Duration ago) throws IOException {
        Files.setLastModifiedTime(image.path(), FileTime.from(Instant.now().minus(ago)));
    }

    @Test
    void removesAnOldUnusedBaseAndKeepsAnOldBaseAnOverlayUses() throws Exception {
        try (ImageCache cache = open(Optional.empty())) {
            CachedImage used = cache.createOverlay("a", disk("i-1"), 0).base();
            CachedImage unused = cache.fetch("b");
            lastUsed(used, Duration.ofHours(48));
            lastUsed(unused, Duration.ofHours(48));

            GcReport report = cache.collectGarbage();

            assertThat(report.removed()).containsExactly("b");
            assertThat(report.bytesFreed()).isEqualTo(IMAGE_BYTES);
            assertThat(unused.path()).doesNotExist();
            assertThat(unused.path().resolveSibling(unused.path().getFileName() + ".lock")).doesNotExist();
            assertThat(used.path()).exists();
            assertThat(cache.list()).singleElement().satisfies(i -> {
                assertThat(i.imageId()).isEqualTo("a");
                assertThat(i.inUse()).isTrue();
            });
        }
    }

    @Test
    void aBaseOnlyARescueOverlayOrAKeptRootOverlayUsesIsInUse() throws Exception {
        try (ImageCache cache = open(Optional.empty())) {
            Path instance = disk("i-5").getParent();
            CachedImage rescue = cache.createOverlay("c", instance.resolve("disk.rescue"), 0).base();
            CachedImage kept = cache.createOverlay("d", instance.resolve("disk.pre-resize"), 0).base();
            CachedImage unused = cache.fetch("b");
            for (CachedImage image : List.of(rescue, kept, unused)) {
                lastUsed(image, Duration.ofHours(48));
            }

            assertThat(cache.collectGarbage().removed()).containsExactly("b");
            assertThat(rescue.path()).exists();
            assertThat(kept.path()).exists();
        }
    }

    @Test
    void keepsUnusedBasesYoungerThanTheMaximumAge() throws Exception {
        try (ImageCache cache = open(Optional.empty())) {
            lastUsed(cache.fetch("c"), Duration.ofHours(23));
            GcReport report = cache.collectGarbage();
            assertThat(report.removed()).isEmpty();
            assertThat(report.kept()).isEqualTo(1);
            assertThat(cache.list()).extracting(CachedImage::imageId, CachedImage::inUse)
                    .containsExactly(Tuple.tuple("c", false));
        }
    }

    @Test
    void overQuotaRemovesLeastRecentlyUsedUnusedBasesFirstAndNeverAnInUseOne() throws Exception {
        try (ImageCache cache = open(Optional.of(2L * IMAGE_BYTES))) {
            CachedImage oldestButUsed = cache.createOverlay("a", disk("i-1"), 0).base();
            CachedImage older = cache.fetch("b");
            CachedImage old = cache.fetch("c");
            CachedImage recent = cache.fetch("d");
            lastUsed(oldestButUsed, Duration.ofHours(4));
            lastUsed(older, Duration.ofHours(3));
            lastUsed(old, Duration.ofHours(2));
            lastUsed(recent, Duration.ofHours(1));

            GcReport report = cache.collectGarbage();

            assertThat(report.removed()).containsExactly("b", "c");
            assertThat(report.kept()).isEqualTo(1);
            assertThat(cache.list()).extracting(CachedImage::imageId).containsExactlyInAnyOrder("a", "d");
            assertThat(cache.statistics().bytes()).isEqualTo(2L * IMAGE_BYTES);
        }
    }

    @Test
    void overlayOfACollectedImageFetchesItAgain() throws Exception {
        try (ImageCache cache = open(Optional.empty())) {
            lastUsed(cache.fetch("b"), Duration.ofDays(3));
            assertThat(cache.collectGarbage().removed()).containsExactly("b");
            assertThat(cache.createOverlay("b", disk("i-2"), 0).base().path()).exists();
            assertThat(cache.statistics().downloads()).isEqualTo(2);
        }
    }

    @Test
    void baseReachedThroughAChainOfOverlaysIsInUse() throws Exception {
        try (ImageCache cache = open(Optional.empty())) {
            CachedImage base = cache.fetch("a");
            Path middle = stateDir.resolve("instances/i-3/snap.qcow2");
            Files.createDirectories(middle.getParent());
            TestImages.qemuImg("create", "-q", "-f", "qcow2", "-F", "raw", "-b", base.path().toString(),
                    middle.toString());
            TestImages.qemuImg("create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", "snap.qcow2",
                    disk("i-3").toString());
            lastUsed(base, Duration.ofDays(3));
            assertThat(cache.collectGarbage().removed()).isEmpty();
            assertThat(cache.list()).singleElement().extracting(CachedImage::inUse).isEqualTo(true);
        }
    }

    @Test
    @SuppressWarnings("try")
    void spawnThatWinsTheLockWhileGcWaitsKeepsItsBase() throws Exception {
        try (ImageCache cache = open(Optional.empty())) {
            CachedImage base = cache.fetch("a");
            lastUsed(base, Duration.ofDays(3));
            String name = base.path().getFileName().toString();
            ImageLocks locks = new ImageLocks(new CacheLayout(stateDir));
            ExecutorService gcThread = Executors.newSingleThreadExecutor();
            try {
                Future<GcReport> gc;
                try (ImageLocks.Handle held = locks.lock(name)) {
                    // GC has listed the base as old and unused and now waits for its lock ...
                    gc = gcThread.submit(cache::collectGarbage);
                    await().atMost(Duration.ofSeconds(10)).until(() -> locks.hasWaiters(name));
                    // ... while a spawn (same thread, reentrant lock) puts an overlay on it
                    cache.createOverlay("a", disk("i-race"), 0);
                }
                GcReport report = gc.get(10, TimeUnit.SECONDS);
                assertThat(report.removed()).isEmpty();
                assertThat(base.path()).exists();
                assertThat(cache.list()).singleElement().extracting(CachedImage::inUse).isEqualTo(true);
            } finally {
                gcThread.shutdownNow();
            }
        }
    }

    @Test
    @SuppressWarnings("try")
    void gcRereadsBackingChainsUnderTheLockBeforeDeleting() throws Exception {
        try (ImageCache cache = open(Optional.empty())) {
            CachedImage base = cache.fetch("a");
            lastUsed(base, Duration.ofDays(3));
            String name = base.path().getFileName().toString();
            ImageLocks locks = new ImageLocks(new CacheLayout(stateDir));
            ExecutorService gcThread = Executors.newSingleThreadExecutor();
            try {
                Future<GcReport> gc;
                try (ImageLocks.Handle held = locks.lock(name)) {
                    gc = gcThread.submit(cache::collectGarbage);
                    await().atMost(Duration.ofSeconds(10)).until(() -> locks.hasWaiters(name));
                    // an overlay appears without touching the base: only the re-read chain can save it
                    Files.createDirectories(disk("i-other").getParent());
                    TestImages.qemuImg("create", "-q", "-f", "qcow2", "-F", "raw", "-b", base.path().toString(),
                            disk("i-other").toString());
                }
                assertThat(gc.get(10, TimeUnit.SECONDS).removed()).isEmpty();
                assertThat(base.path()).exists();
            } finally {
                gcThread.shutdownNow();
            }
        }
    }

    @Test
    void lockFilesRemovedWhileProcessesAndThreadsContendNeverLetTwoHoldersIn() throws Exception {
        // each worker increments a counter file without any protection but the image's lock, and
        // removes the lock file every time before letting go: a lost update means two holders at once
        Path counter = Files.writeString(stateDir.resolve("counter"), "0");
        Files.createDirectories(stateDir.resolve("_base"));
        List<Process> children = List.of(LockStressMain.start(stateDir, counter),
                LockStressMain.start(stateDir, counter));
        LockStressMain.run(stateDir, counter);
        for (Process child : children) {
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
            assertThat(child.exitValue()).as(new String(child.getInputStream().readAllBytes())).isZero();
        }
        assertThat(Files.readString(counter)).isEqualTo(Integer.toString(3 * LockStressMain.INCREMENTS));
    }

    @Test
    @SuppressWarnings("try")
    void leftoversOfACrashAreSweptButWorkInProgressIsNot() throws Exception {
        try (ImageCache cache = open(Optional.empty())) {
            CachedImage kept = cache.fetch("a");
            Path baseDir = stateDir.resolve("_base");
            String crashed = ImageIds.cacheName("crashed");
            String busy = ImageIds.cacheName("busy");
            String askedOnce = ImageIds.cacheName("asked-for-once");
            Files.writeString(baseDir.resolve(crashed + ".download.part"), "half");
            Files.writeString(baseDir.resolve(crashed + ".raw.part"), "half");
            Files.writeString(baseDir.resolve(crashed + ".json"), "{}");
            Files.writeString(baseDir.resolve(crashed + ".json.4242-7.part"), "{\"image_");
            Files.writeString(baseDir.resolve(crashed + ".lock"), "");
            Files.writeString(baseDir.resolve(askedOnce + ".lock"), "");
            Files.writeString(baseDir.resolve(busy + ".download.part"), "in progress");
            ImageLocks locks = new ImageLocks(new CacheLayout(stateDir));
            try (ImageLocks.Handle held = locks.lock(busy)) {
                cache.collectGarbage();
            }
            assertThat(CacheAssertions.filesUnder(baseDir)).extracting(p -> p.getFileName().toString())
                    .doesNotContain(crashed + ".download.part", crashed + ".raw.part", crashed + ".json",
                            crashed + ".json.4242-7.part", crashed + ".lock", askedOnce + ".lock")
                    .contains(busy + ".download.part", busy + ".lock", kept.path().getFileName() + ".json",
                            kept.path().getFileName() + ".lock");
            assertThat(kept.path()).exists();
        }
    }
}

package dev.computeagent.image.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.testing.TestImages;
import dev.computeagent.virt.testing.RealGuestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real images become raw bases every time, under the limits the cache gives {@code qemu-img convert}:
 * the compressed Debian cloud image eight times at once (under the former 1 GiB address-space cap
 * such conversions aborted at random), and a 20 GiB sparse image. Through the real fetch path
 * (directory store → download → inspection → {@code qemu-img info} → convert → commit).
 */
class RealImageConversionQemuImgTest {

    private static final int CONCURRENT = 8;
    private static final long GIB = 1L << 30;

    @TempDir
    Path store;
    @TempDir
    Path stateDir;

    @BeforeEach
    void requireQemuImg() {
        TestImages.requireQemuImg();
    }

    @Test
    void eightConcurrentFetchesOfTheCompressedCloudImageAllConvert() throws Exception {
        Path cloudImage = RealGuestImage.path();
        for (int i = 0; i < CONCURRENT; i++) {
            Files.createSymbolicLink(store.resolve("debian-" + i), cloudImage);
        }
        ExecutorService callers = Executors.newFixedThreadPool(CONCURRENT);
        try (ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, store.toUri()))) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CachedImage>> fetches = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                String id = "debian-" + i;
                fetches.add(callers.submit(() -> {
                    go.await();
                    return cache.fetch(id);
                }));
            }
            go.countDown();
            List<CachedImage> images = new ArrayList<>();
            for (Future<CachedImage> fetch : fetches) {
                images.add(fetch.get(10, TimeUnit.MINUTES));
            }

            assertThat(images).allSatisfy(image -> {
                assertThat(image.format()).isEqualTo("raw");
                assertThat(image.virtualSize()).isEqualTo(RealGuestImage.VIRTUAL_SIZE_BYTES);
                assertThat(Files.size(image.path())).isEqualTo(RealGuestImage.VIRTUAL_SIZE_BYTES);
            });
            assertThat(TestImages.qemuImg("compare", "-f", "qcow2", "-F", "raw", cloudImage.toString(),
                    images.get(CONCURRENT - 1).path().toString())).contains("Images are identical");
            assertThat(cache.statistics().refusals()).isEmpty();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void twentyGibSparseImageConvertsToASparseRawBase() {
        long size = 20 * GIB;
        Path sparse = TestImages.sparseQcow2(store.resolve("sparse-20g"), size, 0, 10 * GIB, size - (1 << 20));
        try (ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, store.toUri()))) {
            CachedImage image = cache.fetch("sparse-20g");

            assertThat(image.format()).isEqualTo("raw");
            assertThat(image.virtualSize()).isEqualTo(size);
            assertThat(TestImages.qemuImg("compare", "-f", "qcow2", "-F", "raw", sparse.toString(),
                    image.path().toString())).contains("Images are identical");
            long allocated = JsonMapper.builder().build()
                    .readTree(TestImages.qemuImg("info", "--output=json", "-f", "raw", image.path().toString()))
                    .path("actual-size").asLong();
            assertThat(allocated).as("bytes the raw base occupies on disk").isLessThan(64L << 20);
        }
    }
}

package dev.computeagent.image.cache;

import static dev.computeagent.image.cache.CacheAssertions.assertNothingCached;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheOptions;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.ImageChecksumMismatchException;
import dev.computeagent.image.ImageDownloadException;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.image.ImageTooLargeException;
import dev.computeagent.image.ImageUnsafeException;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.image.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken and hostile images served by a real HTTP server, checked by the real qemu-img: each gets its
 * typed error and leaves no cache entry and no part file.
 */
class HostileImagesHttpQemuImgTest {

    private static final long GIB = 1L << 30;
    private static final long TIB = 1L << 40;

    @TempDir
    static Path images;
    /** Low enough that the stalls, truncations and retries here fail as such, not on the download deadline. */
    private static final long MIN_DOWNLOAD_RATE = 64 * 1024;
    private static GlanceStubServer glance;

    @TempDir
    Path stateDir;
    private ImageCache cache;

    @BeforeAll
    static void serveImages() {
        TestImages.requireQemuImg();
        glance = GlanceStubServer.start();
        Path raw = TestImages.raw(images.resolve("plain.raw"), 256 * 1024);
        glance.addImage("backing-passwd", TestImages.qcow2WithBackingFile(images.resolve("backing.qcow2"), "/etc/passwd"))
                .diskFormat("qcow2");
        glance.addImage("data-file", TestImages.qcow2WithDataFile(images.resolve("datafile.qcow2"),
                images.resolve("datafile.raw").toString())).diskFormat("qcow2");
        glance.addImage("qcow2-declared-raw", TestImages.qcow2(images.resolve("disguised.qcow2"), 128 * 1024))
                .diskFormat("raw");
        Path huge = TestImages.emptyQcow2(images.resolve("huge.qcow2"), 20 * TIB);
        glance.addImage("huge", huge).diskFormat("qcow2");
        glance.addImage("huge-declared", huge).diskFormat("qcow2").virtualSize(20 * TIB);
        Path twoGib = TestImages.emptyQcow2(images.resolve("two-gib.qcow2"), 2 * GIB);
        glance.addImage("two-gib", twoGib).diskFormat("qcow2");
        glance.addImage("two-gib-declared", twoGib).diskFormat("qcow2").virtualSize(2 * GIB);
        glance.addImage("wrong-hash", raw).osHashValue("ab".repeat(64));
        glance.addImage("wrong-md5", raw).withoutMultihash().checksum("00".repeat(16));
        glance.addImage("short-body", raw).size(512 * 1024);
        glance.addImage("unverifiable", raw).withoutSize().withoutMultihash().withoutChecksum();
        glance.addImage("size-only", raw).withoutMultihash().withoutChecksum();
        glance.addImage("truncated", raw).truncateAfter(100 * 1024);
        glance.addImage("stalling", raw).stallAfter(4096);
        glance.addImage("queued", raw).status("queued");
        glance.addImage("vmdk", raw).diskFormat("vmdk");
        glance.addImage("ova", raw).containerFormat("ova");
    }

    @AfterAll
    static void stopServer() {
        glance.close();
    }

    @BeforeEach
    void openCache() {
        ImageCacheSettings settings = new ImageCacheSettings(stateDir, glance.url(), Optional.empty(), true,
                Duration.ofHours(24), Optional.empty(), Duration.ofMillis(500), 4, MIN_DOWNLOAD_RATE);
        cache = ImageCaches.open(settings, ImageCacheOptions.defaults().withBackoff(Duration.ofMillis(5),
                Duration.ofMillis(20)));
    }

    @AfterEach
    void closeCache() {
        cache.close();
    }

    @Test
    void qcow2WithBackingFileEtcPasswdIsUnsafe() {
        assertThatThrownBy(() -> cache.fetch("backing-passwd")).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("backing file");
        assertNothingCached(cache, stateDir);
        assertThat(cache.statistics().refusals()).containsEntry("UNSAFE", 1L);
    }

    @Test
    void qcow2WithDataFileIsUnsafe() {
        assertThatThrownBy(() -> cache.fetch("data-file")).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("data file");
        assertNothingCached(cache, stateDir);
    }

    @Test
    void qcow2DeclaredRawIsUnsafe() {
        assertThatThrownBy(() -> cache.fetch("qcow2-declared-raw")).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("declared raw but its bytes are qcow2");
        assertNothingCached(cache, stateDir);
    }

    @Test
    void twentyTibImageIsTooLargeForAOneGibDiskAndIsNeverConverted() {
        Path overlay = stateDir.resolve("instances/8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a/disk");
        assertThatThrownBy(() -> cache.createOverlay("huge", overlay, GIB))
                .isInstanceOf(ImageTooLargeException.class).hasMessageContaining("21990232555520");
        assertThat(overlay).doesNotExist();
        assertNothingCached(cache, stateDir);
        assertThat(cache.statistics().refusals()).containsEntry("TOO_LARGE", 1L);
    }

    @Test
    void twentyTibImageIsTooLargeToCacheAtAllEvenWithoutADisk() {
        assertThatThrownBy(() -> cache.fetch("huge")).isInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("17592186044416 bytes allowed");
        assertNothingCached(cache, stateDir);
    }

    @Test
    void declaredTwentyTibVirtualSizeIsRefusedBeforeAnyDownload() {
        Path overlay = stateDir.resolve("instances/x/disk");
        assertThatThrownBy(() -> cache.createOverlay("huge-declared", overlay, GIB))
                .isInstanceOf(ImageTooLargeException.class);
        assertThat(glance.downloads("huge-declared")).isZero();
        assertNothingCached(cache, stateDir);
    }

    @Test
    void fetchWithASizeLimitRefusesALargerImageAndNeverCachesIt() {
        assertThatThrownBy(() -> cache.fetch("two-gib", GIB)).isInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining(Long.toString(2 * GIB)).hasMessageContaining(GIB + " bytes allowed");
        assertNothingCached(cache, stateDir);
        assertThat(cache.statistics().refusals()).containsEntry("TOO_LARGE", 1L);
    }

    @Test
    void fetchWithASizeLimitRefusesADeclaredLargerImageBeforeAnyDownload() {
        assertThatThrownBy(() -> cache.fetch("two-gib-declared", GIB)).isInstanceOf(ImageTooLargeException.class);
        assertThat(glance.downloads("two-gib-declared")).isZero();
        assertNothingCached(cache, stateDir);
    }

    @Test
    void fetchWithALimitTheImageFitsCachesItAndACachedImageIsStillCheckedAgainstASmallerLimit() {
        assertThat(cache.fetch("two-gib", 2 * GIB).virtualSize()).isEqualTo(2 * GIB);
        assertThat(cache.list()).hasSize(1);
        assertThatThrownBy(() -> cache.fetch("two-gib", GIB)).isInstanceOf(ImageTooLargeException.class);
        assertThat(cache.fetch("two-gib", 0).virtualSize()).isEqualTo(2 * GIB);
    }

    @Test
    void wrongMultihashIsAChecksumMismatch() {
        assertThatThrownBy(() -> cache.fetch("wrong-hash")).isInstanceOf(ImageChecksumMismatchException.class)
                .hasMessageContaining("sha512");
        assertNothingCached(cache, stateDir);
        assertThat(cache.statistics().refusals()).containsEntry("CHECKSUM_MISMATCH", 1L);
    }

    @Test
    void wrongMd5IsAChecksumMismatchWhenNoMultihashIsGiven() {
        assertThatThrownBy(() -> cache.fetch("wrong-md5")).isInstanceOf(ImageChecksumMismatchException.class)
                .hasMessageContaining("md5");
        assertNothingCached(cache, stateDir);
    }

    @Test
    void glanceAnswerWithNeitherSizeNorHashIsRefusedBeforeAnyDownload() {
        assertThatThrownBy(() -> cache.fetch("unverifiable")).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("neither size nor hash");
        assertThat(glance.downloads("unverifiable")).isZero();
        assertNothingCached(cache, stateDir);
        assertThat(cache.statistics().refusals()).containsEntry("UNSAFE", 1L);
    }

    @Test
    void glanceAnswerWithASizeButNoHashIsVerifiedByItsSize() {
        assertThat(cache.fetch("size-only").bytes()).isEqualTo(256 * 1024);
    }

    @Test
    void bodyShorterThanTheDeclaredSizeIsAChecksumMismatch() {
        assertThatThrownBy(() -> cache.fetch("short-body")).isInstanceOf(ImageChecksumMismatchException.class)
                .hasMessageContaining("262144 bytes, its metadata says 524288");
        assertNothingCached(cache, stateDir);
    }

    @Test
    void connectionDroppedMidBodyIsRetriedThenARetriableDownloadFailure() {
        assertThatThrownBy(() -> cache.fetch("truncated")).isInstanceOf(ImageDownloadException.class)
                .hasMessageContaining("after 3 attempts")
                .satisfies(e -> assertThat(((ImageDownloadException) e).retriable()).isTrue());
        assertThat(glance.downloads("truncated")).isEqualTo(3);
        assertNothingCached(cache, stateDir);
    }

    @Test
    void stallingServerTimesOut() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> cache.fetch("stalling")).isInstanceOf(ImageDownloadException.class)
                .hasMessageContaining("no bytes received");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(glance.downloads("stalling")).isEqualTo(3);
        assertNothingCached(cache, stateDir);
    }

    @Test
    void unknownImageIsNotFound() {
        assertThatThrownBy(() -> cache.fetch("missing")).isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("missing");
        assertNothingCached(cache, stateDir);
    }

    @Test
    void imageThatIsNotActiveIsNotFoundAndTheMessageSaysWhy() {
        assertThatThrownBy(() -> cache.fetch("queued")).isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("not active (status queued)");
        assertThat(glance.downloads("queued")).isZero();
        assertNothingCached(cache, stateDir);
    }

    @Test
    void diskFormatOtherThanRawOrQcow2IsUnsafeBeforeAnyDownload() {
        assertThatThrownBy(() -> cache.fetch("vmdk")).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("disk_format vmdk");
        assertThat(glance.downloads("vmdk")).isZero();
        assertNothingCached(cache, stateDir);
    }

    @Test
    void wrappedContainerFormatIsUnsafeBeforeAnyDownload() {
        assertThatThrownBy(() -> cache.fetch("ova")).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("container_format ova");
        assertThat(glance.downloads("ova")).isZero();
        assertNothingCached(cache, stateDir);
    }

    @Test
    void leftoverPartFilesOfACrashedProcessAreRemovedByTheNextFetch() throws Exception {
        String name = ImageIds.cacheName("wrong-hash");
        Files.createDirectories(stateDir.resolve("_base"));
        Files.writeString(stateDir.resolve("_base").resolve(name + ".download.part"), "half an image");
        assertThatThrownBy(() -> cache.fetch("wrong-hash")).isInstanceOf(ImageChecksumMismatchException.class);
        assertNothingCached(cache, stateDir);
    }
}

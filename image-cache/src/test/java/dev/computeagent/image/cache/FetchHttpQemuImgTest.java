package dev.computeagent.image.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.computeagent.image.CacheStatistics;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheOptions;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.ImageDownloadException;
import dev.computeagent.image.ImageDownloadTooSlowException;
import dev.computeagent.image.ImageStoreRefusedException;
import dev.computeagent.image.InvalidImageIdException;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.image.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Good images from a real HTTP Glance stub into the cache, through the real qemu-img. */
class FetchHttpQemuImgTest {

    @TempDir
    Path images;
    @TempDir
    Path stateDir;
    private GlanceStubServer glance;

    @BeforeEach
    void start() {
        TestImages.requireQemuImg();
        glance = GlanceStubServer.start();
    }

    @AfterEach
    void stop() {
        glance.close();
    }

    private ImageCache open(boolean forceRaw, Optional<String> token) {
        return open(forceRaw, token, Duration.ofSeconds(5));
    }

    private ImageCache open(boolean forceRaw, Optional<String> token, Duration downloadTimeout) {
        return open(downloadTimeout, ImageCacheSettings.DEFAULT_MIN_DOWNLOAD_RATE, forceRaw, token);
    }

    private ImageCache open(Duration downloadTimeout, long minDownloadRate, boolean forceRaw, Optional<String> token) {
        return ImageCaches.open(new ImageCacheSettings(stateDir, glance.url(), token, forceRaw, Duration.ofHours(24),
                Optional.empty(), downloadTimeout, 4, minDownloadRate),
                ImageCacheOptions.defaults().withBackoff(Duration.ofMillis(5), Duration.ofMillis(20)));
    }

    @Test
    void rawImageIsCachedByteForByteUnderAHashedName() throws Exception {
        Path raw = TestImages.raw(images.resolve("a.raw"), 300_000); // not a whole number of sectors
        glance.addImage("cirros", raw);
        try (ImageCache cache = open(true, Optional.empty())) {
            CachedImage image = cache.fetch("cirros");
            assertThat(image.imageId()).isEqualTo("cirros");
            assertThat(image.format()).isEqualTo("raw");
            assertThat(image.virtualSize()).as("qemu rounds up to 512-byte sectors").isEqualTo(300_032);
            assertThat(image.bytes()).isEqualTo(300_000);
            assertThat(image.path()).isEqualTo(stateDir.resolve("_base").resolve(ImageIds.cacheName("cirros")));
            assertThat(Files.readAllBytes(image.path())).isEqualTo(Files.readAllBytes(raw));
            assertThat(cache.list()).extracting(CachedImage::imageId).containsExactly("cirros");
        }
    }

    @Test
    void theStoresImagePropertiesAreKeptWithTheCachedBaseAndReadBackAfterARestart() {
        glance.addImage("props", TestImages.raw(images.resolve("p.raw"), 4096))
                .property("hw_qemu_guest_agent", "yes").property("os_distro", "debian");
        try (ImageCache cache = open(true, Optional.empty())) {
            assertThat(cache.fetch("props").properties())
                    .isEqualTo(Map.of("hw_qemu_guest_agent", "yes", "os_distro", "debian"));
        }
        try (ImageCache reopened = open(true, Optional.empty())) {
            assertThat(reopened.fetch("props").properties()).containsEntry("hw_qemu_guest_agent", "yes");
            assertThat(reopened.list()).singleElement()
                    .satisfies(image -> assertThat(image.properties()).containsEntry("os_distro", "debian"));
        }
        assertThat(glance.downloads("props")).as("the second agent found it cached").isEqualTo(1);
    }

    @Test
    void aBaseCachedBeforePropertiesWereKeptHasNone() throws Exception {
        glance.addImage("old", TestImages.raw(images.resolve("o.raw"), 4096)).property("hw_qemu_guest_agent", "yes");
        try (ImageCache cache = open(true, Optional.empty())) {
            cache.fetch("old");
        }
        Path record = stateDir.resolve("_base").resolve(ImageIds.cacheName("old") + ".json");
        // the record as an agent without image properties wrote it
        Files.writeString(record, "{\"image_id\":\"old\",\"format\":\"raw\",\"virtual_size\":4096}");

        try (ImageCache cache = open(true, Optional.empty())) {
            assertThat(cache.fetch("old").properties()).isEmpty();
        }
    }

    @Test
    void qcow2ImageIsConvertedToRawByDefault() {
        Path qcow2 = TestImages.qcow2(images.resolve("a.qcow2"), 512 * 1024);
        glance.addImage("q", qcow2).diskFormat("qcow2");
        try (ImageCache cache = open(true, Optional.empty())) {
            CachedImage image = cache.fetch("q");
            assertThat(image.format()).isEqualTo("raw");
            assertThat(image.virtualSize()).isEqualTo(512 * 1024);
            assertThat(image.bytes()).as("a raw file is as long as its disk").isEqualTo(512 * 1024);
            TestImages.qemuImg("compare", "-f", "qcow2", "-F", "raw", qcow2.toString(), image.path().toString());
        }
    }

    @Test
    void qcow2ImageStaysQcow2WhenForceRawIsOff() {
        glance.addImage("q", TestImages.qcow2(images.resolve("a.qcow2"), 64 * 1024)).diskFormat("qcow2");
        try (ImageCache cache = open(false, Optional.empty())) {
            assertThat(cache.fetch("q").format()).isEqualTo("qcow2");
        }
    }

    @Test
    void secondFetchIsAHitWithoutAnotherDownload() {
        glance.addImage("img", TestImages.raw(images.resolve("a.raw"), 100_000));
        try (ImageCache cache = open(true, Optional.empty())) {
            CachedImage first = cache.fetch("img");
            CachedImage second = cache.fetch("img");
            assertThat(second.path()).isEqualTo(first.path());
            assertThat(glance.downloads("img")).isEqualTo(1);
            CacheStatistics stats = cache.statistics();
            assertThat(stats).isEqualTo(new CacheStatistics(1, 100_000, 1, 1, 1, 100_000, Map.of()));
        }
    }

    @Test
    void slowDownloadLongerThanTheStallTimeoutSucceedsWhileBytesKeepComing() {
        glance.addImage("slow", TestImages.raw(images.resolve("a.raw"), 64 * 1024)).trickle(4096, Duration.ofMillis(150));
        // about 27 KiB/s, above the minimum of 8 KiB/s: allowed 0.7 s + 8 s
        try (ImageCache cache = open(Duration.ofMillis(700), 8 * 1024, true, Optional.empty())) {
            long start = System.nanoTime();
            assertThat(cache.fetch("slow").bytes()).isEqualTo(64 * 1024);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1400));
            assertThat(glance.downloads("slow")).isEqualTo(1);
        }
    }

    @Test
    void aStoreDrippingItsImageFailsAtTheDeadlineOfSizeAtTheMinimumRateAndLetsTheImageGo() {
        GlanceStubServer.StubImage drip = glance.addImage("drip", TestImages.raw(images.resolve("d.raw"), 64 * 1024))
                .trickle(1, Duration.ofMillis(20));
        // 50 bytes/s would take 22 minutes, never silent for the 500 ms stall timeout;
        // allowed: 0.5 s + 64 KiB at 64 KiB/s
        try (ImageCache cache = open(Duration.ofMillis(500), 64 * 1024, true, Optional.empty())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(30), () -> cache.fetch("drip")))
                    .isInstanceOf(ImageDownloadTooSlowException.class).hasMessageContaining("too slow")
                    .satisfies(e -> assertThat(((ImageDownloadTooSlowException) e).retriable()).isFalse());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1400),
                    Duration.ofSeconds(10));
            assertThat(glance.downloads("drip")).as("the deadline covers retries: none").isEqualTo(1);
            CacheAssertions.assertNothingCached(cache, stateDir);
            assertThat(cache.statistics().refusals()).containsEntry("DOWNLOAD_TOO_SLOW", 1L);

            // the download slot and the image's lock were let go: a store back to speed serves it
            drip.trickle(0, Duration.ZERO);
            assertThat(cache.fetch("drip").bytes()).isEqualTo(64 * 1024);
        }
    }

    @Test
    void withoutASizeFromTheStoreBytesMustKeepArrivingAtTheMinimumRate() {
        glance.addImage("drip-unsized", TestImages.raw(images.resolve("u.raw"), 64 * 1024))
                .withoutSize().trickle(1, Duration.ofMillis(20));
        try (ImageCache cache = open(Duration.ofMillis(500), 64 * 1024, true, Optional.empty())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> cache.fetch("drip-unsized")))
                    .isInstanceOf(ImageDownloadTooSlowException.class).hasMessageContaining("unknown number of bytes");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(500),
                    Duration.ofSeconds(10));
            CacheAssertions.assertNothingCached(cache, stateDir);
        }
    }

    @Test
    void serverErrorThenSuccessIsRetried() {
        glance.addImage("flaky", TestImages.raw(images.resolve("a.raw"), 10_000)).failNextDownloads(1, 500);
        try (ImageCache cache = open(true, Optional.empty())) {
            assertThat(cache.fetch("flaky").bytes()).isEqualTo(10_000);
            assertThat(glance.downloads("flaky")).isEqualTo(2);
        }
    }

    @Test
    void persistentServerErrorsGiveUpAfterBoundedRetries() {
        glance.addImage("down", TestImages.raw(images.resolve("a.raw"), 10_000)).failNextDownloads(100, 503);
        try (ImageCache cache = open(true, Optional.empty())) {
            assertThatThrownBy(() -> cache.fetch("down")).isInstanceOf(ImageDownloadException.class)
                    .hasMessageContaining("HTTP 503");
            assertThat(glance.downloads("down")).isEqualTo(3);
        }
    }

    @Test
    void tokenIsSentAsXAuthToken() {
        glance.addImage("private", TestImages.raw(images.resolve("a.raw"), 1000));
        glance.addImage("private2", TestImages.raw(images.resolve("b.raw"), 1000));
        glance.requireToken("s3cret");
        try (ImageCache cache = open(true, Optional.of("s3cret"))) {
            assertThat(cache.fetch("private").imageId()).isEqualTo("private");
        }
        try (ImageCache cache = open(true, Optional.of("wrong"))) {
            // a rejected token will not get better by retrying: one request, not retriable
            assertThatThrownBy(() -> cache.fetch("private2")).isInstanceOf(ImageStoreRefusedException.class)
                    .hasMessageContaining("HTTP 401")
                    .satisfies(e -> assertThat(((ImageStoreRefusedException) e).retriable()).isFalse());
            assertThat(glance.metadataRequests("private2")).isEqualTo(1);
        }
    }

    @Test
    void invalidIdsNeverReachTheStore() {
        try (ImageCache cache = open(true, Optional.empty())) {
            assertThatThrownBy(() -> cache.fetch("../../etc/passwd")).isInstanceOf(InvalidImageIdException.class);
            assertThatThrownBy(() -> cache.createOverlay("a/b", stateDir.resolve("instances/x/disk"), 0))
                    .isInstanceOf(InvalidImageIdException.class);
        }
    }
}

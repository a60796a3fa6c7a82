package dev.computeagent.image.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.ImageIdTakenException;
import dev.computeagent.image.ImageUpload;
import dev.computeagent.image.ImageUploadException;
import dev.computeagent.image.StoredImage;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.image.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot uploads into both stores: the image lands active with the size and hashes of the bytes sent,
 * can be fetched back into a cache, a failed upload leaves nothing in the store, an earlier attempt of the
 * same upload is recognised and another image's id is refused.
 */
class ImageUploadHttpQemuImgTest {

    private static final String INSTANCE = "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a";

    @TempDir
    Path work;
    @TempDir
    Path stateDir;
    @TempDir
    Path dirStore;
    private Path snapshot;

    @BeforeEach
    void makeSnapshotFile() {
        TestImages.requireQemuImg();
        snapshot = TestImages.qcow2(work.resolve("snap.qcow2"), 256 * 1024);
    }

    private ImageUpload upload(String id) {
        return new ImageUpload(id, "my snapshot", snapshot, "qcow2", Map.of(ImageUpload.INSTANCE_UUID, INSTANCE));
    }

    @Test
    void glanceUploadIsActiveWithTheHashesOfTheBytesAndFetchesBack() throws Exception {
        try (GlanceStubServer glance = GlanceStubServer.start().requireToken("s3cret");
             ImageCache cache = ImageCaches.open(withToken(ImageCacheSettings.defaults(stateDir, glance.url()),
                     "s3cret"))) {
            StoredImage stored = cache.upload(upload("snap-1"));

            byte[] bytes = Files.readAllBytes(snapshot);
            assertThat(stored.size()).isEqualTo(bytes.length);
            assertThat(stored.sha512()).isEqualTo(hex("SHA-512", bytes));
            assertThat(stored.checksum()).isEqualTo(hex("MD5", bytes));
            assertThat(glance.metadata("snap-1")).contains("\"status\":\"active\"", "\"name\":\"my snapshot\"",
                    "\"disk_format\":\"qcow2\"", "\"instance_uuid\":\"" + INSTANCE + "\"");
            CachedImage back = cache.fetch("snap-1");
            assertThat(back.virtualSize()).isEqualTo(256 * 1024);
            assertThat(back.properties()).containsEntry(ImageUpload.INSTANCE_UUID, INSTANCE);
        }
    }

    @Test
    void aStoreWithoutMultihashIsVerifiedByTheMd5OfTheBytes() throws Exception {
        try (GlanceStubServer glance = GlanceStubServer.start().uploadsWithoutMultihash();
             ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, glance.url()))) {
            StoredImage stored = cache.upload(upload("snap-md5"));

            byte[] bytes = Files.readAllBytes(snapshot);
            assertThat(stored.checksum()).isEqualTo(hex("MD5", bytes));
            assertThat(stored.sha512()).isEqualTo(hex("SHA-512", bytes));
            assertThat(glance.metadata("snap-md5")).contains("\"status\":\"active\"").doesNotContain(hex("SHA-512", bytes));
        }
    }

    @Test
    void aStoreHoldingOtherBytesThanSentFailsTheUploadAndLosesTheImage() {
        for (boolean multihash : new boolean[] {true, false}) {
            try (GlanceStubServer glance = GlanceStubServer.start().corruptNextUpload();
                 ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, glance.url()))) {
                if (!multihash) {
                    glance.uploadsWithoutMultihash();
                }
                assertThatThrownBy(() -> cache.upload(upload("snap-bad")))
                        .isInstanceOf(ImageUploadException.class)
                        .hasMessageContaining(multihash ? "has os_hash_value" : "has checksum");
                assertThat(glance.hasImage("snap-bad")).isFalse();
            }
        }
    }

    @Test
    void aFailedGlanceUploadDeletesTheImage() {
        try (GlanceStubServer glance = GlanceStubServer.start().failNextUploads(1, 500);
             ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, glance.url()))) {
            assertThatThrownBy(() -> cache.upload(upload("snap-2")))
                    .isInstanceOf(ImageUploadException.class)
                    .hasMessageContaining("HTTP 500")
                    .satisfies(e -> assertThat(((ImageUploadException) e).retriable()).isTrue());
            assertThat(glance.hasImage("snap-2")).isFalse();
            assertThat(glance.deletions()).isEqualTo(1);
        }
    }

    @Test
    void anUnfinishedEarlierAttemptIsReplacedAndAFinishedOneIsTheResult() {
        try (GlanceStubServer glance = GlanceStubServer.start();
             ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, glance.url()))) {
            glance.addImage("snap-3", new byte[0]).status("queued").property(ImageUpload.INSTANCE_UUID, INSTANCE);
            StoredImage first = cache.upload(upload("snap-3"));
            assertThat(glance.metadata("snap-3")).contains("\"status\":\"active\"");

            StoredImage again = cache.upload(upload("snap-3"));
            assertThat(again).isEqualTo(first);
            assertThat(glance.deletions()).isEqualTo(1);
        }
    }

    @Test
    void anotherImagesIdIsRefusedAndLeftAlone() {
        try (GlanceStubServer glance = GlanceStubServer.start();
             ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, glance.url()))) {
            glance.addImage("cirros", new byte[4096]);
            assertThatThrownBy(() -> cache.upload(upload("cirros"))).isInstanceOf(ImageIdTakenException.class);
            assertThat(glance.metadata("cirros")).contains("\"status\":\"active\"", "\"size\":4096");
            assertThat(glance.deletions()).isZero();
        }
    }

    @Test
    void directoryUploadWritesImageAndDescriptionAndFetchesBack() throws Exception {
        try (ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, dirStore.toUri()))) {
            StoredImage stored = cache.upload(upload("snap-4"));

            byte[] bytes = Files.readAllBytes(snapshot);
            assertThat(Files.readAllBytes(dirStore.resolve("snap-4"))).isEqualTo(bytes);
            assertThat(Files.readString(dirStore.resolve("snap-4.json"))).contains("\"status\":\"active\"",
                    "\"os_hash_value\":\"" + hex("SHA-512", bytes) + "\"", "\"checksum\":\"" + hex("MD5", bytes) + "\"");
            assertThat(stored.size()).isEqualTo(bytes.length);
            try (var files = Files.list(dirStore)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("snap-4",
                        "snap-4.json");
            }
            assertThat(cache.fetch("snap-4").virtualSize()).isEqualTo(256 * 1024);
            assertThat(cache.upload(upload("snap-4"))).isEqualTo(stored);

            TestImages.raw(dirStore.resolve("other"), 4096);
            assertThatThrownBy(() -> cache.upload(upload("other"))).isInstanceOf(ImageIdTakenException.class);
        }
    }

    private static ImageCacheSettings withToken(ImageCacheSettings s, String token) {
        return new ImageCacheSettings(s.stateDir(), s.storeUrl(), Optional.of(token), s.forceRaw(), s.maxUnusedAge(),
                s.quotaBytes(), s.downloadTimeout(), s.maxDownloads(), s.minDownloadRate());
    }

    private static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }
}

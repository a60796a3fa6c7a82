package dev.computeagent.image.cache;

import static dev.computeagent.image.cache.CacheAssertions.assertNothingCached;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.ImageChecksumMismatchException;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.image.ImageUnsafeException;
import dev.computeagent.image.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code file:///dir} store: {@code {dir}/{id}} plus optional {@code {dir}/{id}.json}. */
class DirectoryStoreQemuImgTest {

    @TempDir
    Path store;
    @TempDir
    Path stateDir;
    private ImageCache cache;

    @BeforeEach
    void open() {
        TestImages.requireQemuImg();
        cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, store.toUri()));
    }

    @Test
    void imageWithoutMetadataIsDetectedAndCached() {
        TestImages.qcow2(store.resolve("plain"), 64 * 1024);
        assertThat(cache.fetch("plain").virtualSize()).isEqualTo(64 * 1024);
        assertThat(cache.fetch("plain").format()).isEqualTo("raw");
    }

    @Test
    void hostileImageWithoutMetadataIsStillRefused() {
        TestImages.qcow2WithBackingFile(store.resolve("evil"), "/etc/passwd");
        assertThatThrownBy(() -> cache.fetch("evil")).isInstanceOf(ImageUnsafeException.class);
        assertNothingCached(cache, stateDir);
    }

    @Test
    void metadataFileIsVerified() throws Exception {
        TestImages.raw(store.resolve("meta"), 4096);
        Files.writeString(store.resolve("meta.json"), """
                {"id": "meta", "status": "active", "disk_format": "raw", "size": 4096,
                 "os_hash_algo": "sha256", "os_hash_value": "%s"}""".formatted("0".repeat(64)));
        assertThatThrownBy(() -> cache.fetch("meta")).isInstanceOf(ImageChecksumMismatchException.class);
        assertNothingCached(cache, stateDir);
    }

    @Test
    void aMetadataFileCarriesImageProperties() throws Exception {
        TestImages.raw(store.resolve("agent"), 4096);
        Files.writeString(store.resolve("agent.json"), """
                {"disk_format": "raw", "hw_qemu_guest_agent": "yes"}""");

        assertThat(cache.fetch("agent").properties()).isEqualTo(Map.of("hw_qemu_guest_agent", "yes"));
    }

    @Test
    void missingImageIsNotFound() {
        assertThatThrownBy(() -> cache.fetch("nothing")).isInstanceOf(ImageNotFoundException.class);
    }

    @Test
    void metadataWithoutStatusMeansActive() throws Exception {
        TestImages.raw(store.resolve("nostatus"), 4096);
        Files.writeString(store.resolve("nostatus.json"), """
                {"id": "nostatus", "disk_format": "raw", "size": 4096}""");
        assertThat(cache.fetch("nostatus").virtualSize()).isEqualTo(4096);
        assertThat(cache.list()).hasSize(1);
    }

    @Test
    void invalidMetadataIsANonRetriableUnsafeImageAndNothingIsCached() throws Exception {
        TestImages.raw(store.resolve("badjson"), 4096);
        Files.writeString(store.resolve("badjson.json"), "{\"id\": \"badjson\", \"status\": ");
        assertThatThrownBy(() -> cache.fetch("badjson")).isInstanceOfSatisfying(ImageUnsafeException.class,
                e -> assertThat(e.retriable()).isFalse()).hasMessageContaining("invalid metadata");
        Files.writeString(store.resolve("badjson.json"), "[1, 2]");
        assertThatThrownBy(() -> cache.fetch("badjson")).isInstanceOf(ImageUnsafeException.class);
        assertNothingCached(cache, stateDir);
    }

    @Test
    void unreadableMetadataIsANonRetriableUnsafeImage() throws Exception {
        TestImages.raw(store.resolve("dirjson"), 4096);
        // a directory where the JSON should be: reading it fails whatever the user's privileges
        Files.createDirectory(store.resolve("dirjson.json"));
        assertThatThrownBy(() -> cache.fetch("dirjson")).isInstanceOfSatisfying(ImageUnsafeException.class,
                e -> assertThat(e.retriable()).isFalse()).hasMessageContaining("unreadable metadata");
        assertNothingCached(cache, stateDir);
    }
}

package dev.computeagent.image.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ImageStoresTest {

    @Test
    void schemeSelectsTheStoreAndNeverShowsTheToken() {
        ImageStore glance = ImageStores.forUrl(URI.create("https://glance.example:9292"), Optional.of("s3cret"),
                Duration.ofSeconds(5));
        assertThat(glance).isInstanceOf(GlanceImageStore.class);
        assertThat(glance.describe()).isEqualTo("glance https://glance.example:9292").doesNotContain("s3cret");
        assertThat(ImageStores.forUrl(URI.create("file:///var/images"), Optional.empty(), Duration.ofSeconds(5)))
                .isInstanceOf(DirectoryImageStore.class);
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> ImageStores.forUrl(URI.create("ftp://host/images"), Optional.empty(),
                Duration.ofSeconds(5))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp");
    }

    @Test
    void glanceMetadataWithNullsAndMissingFieldsParsesToEmptyValues() {
        ImageMetadata m = MetadataParser.parse("""
                {"id": "x", "status": "active", "disk_format": "qcow2", "size": 10, "checksum": null,
                 "os_hash_algo": null, "virtual_size": null, "extra": {"ignored": true}}"""
                .getBytes(StandardCharsets.UTF_8), "x");
        assertThat(m).isEqualTo(new ImageMetadata("x", "active", Optional.of("qcow2"), Optional.empty(),
                OptionalLong.of(10), Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(),
                Map.of()));
    }

    @Test
    void everyOtherTopLevelStringIsAnAdditionalImageProperty() {
        ImageMetadata m = MetadataParser.parse("""
                {"id": "x", "name": "debian", "status": "active", "disk_format": "qcow2", "owner": "p1",
                 "visibility": "public", "tags": ["a"], "min_ram": 0, "created_at": "2026-01-01T00:00:00Z",
                 "hw_qemu_guest_agent": "yes", "os_distro": "debian", "hw_numeric": 3, "hw_null": null}"""
                .getBytes(StandardCharsets.UTF_8), "x");

        assertThat(m.properties()).isEqualTo(Map.of("hw_qemu_guest_agent", "yes", "os_distro", "debian"));
    }

    @Test
    void metadataThatIsNotAJsonObjectWithAStatusIsRefused() {
        assertThatThrownBy(() -> MetadataParser.parse("[]".getBytes(StandardCharsets.UTF_8), "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetadataParser.parse("{\"id\": \"x\"}".getBytes(StandardCharsets.UTF_8), "x"))
                .hasMessageContaining("no status");
        assertThatThrownBy(() -> MetadataParser.parse("not json".getBytes(StandardCharsets.UTF_8), "x"))
                .hasMessageContaining("not JSON");
    }
}

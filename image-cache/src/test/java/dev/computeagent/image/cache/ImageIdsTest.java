package dev.computeagent.image.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.image.InvalidImageIdException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"cirros", "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a", "ubuntu_22.04-amd64", "a", "..a", "a..b"})
    void acceptsIdsOfTheAllowedCharacters(String id) {
        assertThat(ImageIds.validate(id)).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "...", "../etc/passwd", "/etc/passwd", "a/b", "a\\b", "a\u0000b", "a b",
            "ü", "a\nb"})
    void refusesIdsThatCouldNameAnotherFile(String id) {
        assertThatThrownBy(() -> ImageIds.validate(id)).isInstanceOf(InvalidImageIdException.class)
                .hasMessageContaining("invalid image id");
    }

    @Test
    void refusesNullAndOverlongIds() {
        assertThatThrownBy(() -> ImageIds.validate(null)).isInstanceOf(InvalidImageIdException.class);
        assertThatThrownBy(() -> ImageIds.validate("x".repeat(129))).isInstanceOf(InvalidImageIdException.class);
        assertThat(ImageIds.validate("x".repeat(128))).hasSize(128);
    }

    @Test
    void cacheNameIsAHashThatStaysInsideTheBaseDirectory() {
        CacheLayout layout = new CacheLayout(Path.of("/state"));
        String name = ImageIds.cacheName("..a");
        assertThat(name).matches("[0-9a-f]{64}");
        assertThat(CacheLayout.isBaseName(name)).isTrue();
        assertThat(layout.base(name).getParent()).isEqualTo(Path.of("/state/_base"));
        assertThat(ImageIds.cacheName("a")).isNotEqualTo(ImageIds.cacheName("b"));
    }
}

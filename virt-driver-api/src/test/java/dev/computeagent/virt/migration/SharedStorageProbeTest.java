package dev.computeagent.virt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedStorageProbeTest {

    @TempDir
    Path sourceDir;
    @TempDir
    Path otherDir;

    @Test
    void theSameDirectorySeesThePlantedMarker() {
        SharedStorageProbe.Marker marker = SharedStorageProbe.plant(sourceDir);

        assertThat(SharedStorageProbe.sees(sourceDir, marker.token())).isTrue();
    }

    @Test
    void aDifferentDirectoryDoesNotSeeIt() {
        SharedStorageProbe.Marker marker = SharedStorageProbe.plant(sourceDir);

        assertThat(SharedStorageProbe.sees(otherDir, marker.token())).isFalse();
        assertThat(SharedStorageProbe.sees(otherDir.resolve("missing"), marker.token())).isFalse();
    }

    @Test
    void aLeftoverMarkerWithAnotherTokenDoesNotCount() {
        SharedStorageProbe.Marker old = SharedStorageProbe.plant(sourceDir);
        SharedStorageProbe.Marker fresh = SharedStorageProbe.plant(otherDir);

        assertThat(SharedStorageProbe.sees(sourceDir, fresh.token())).isFalse();
        assertThat(SharedStorageProbe.sees(sourceDir, old.token())).isTrue();
    }

    @Test
    void removeDeletesTheMarkerAndIsIdempotent() throws Exception {
        SharedStorageProbe.Marker marker = SharedStorageProbe.plant(sourceDir);

        SharedStorageProbe.remove(marker);
        SharedStorageProbe.remove(marker);

        assertThat(SharedStorageProbe.sees(sourceDir, marker.token())).isFalse();
        try (var files = Files.list(sourceDir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aTokenThatCouldEscapeTheDirectoryIsRejected() {
        assertThatThrownBy(() -> SharedStorageProbe.sees(sourceDir, "../../etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

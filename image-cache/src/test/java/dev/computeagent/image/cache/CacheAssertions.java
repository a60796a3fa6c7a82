package dev.computeagent.image.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.image.ImageCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Checks that a failed operation left nothing behind. */
final class CacheAssertions {

    private CacheAssertions() {
    }

    /** No base, no record, no lock file and no part file anywhere under the state directory. */
    static void assertNothingCached(ImageCache cache, Path stateDir) {
        assertThat(cache.list()).isEmpty();
        assertThat(filesUnder(stateDir.resolve("_base"))).as("files left in _base").isEmpty();
        assertThat(filesUnder(stateDir)).noneMatch(p -> p.getFileName().toString().endsWith(".part"));
    }

    static List<Path> filesUnder(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.computeagent.hostio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The empty marker: created once, idempotent, never in a directory that is gone. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void createEmptyCreatesAnEmptyFileAndAcceptsItAgain() throws IOException {
        Path marker = dir.resolve(".done");

        AtomicFiles.createEmpty(marker);
        AtomicFiles.createEmpty(marker);

        assertThat(marker).isRegularFile().isEmptyFile();
        try (var entries = Files.list(dir)) {
            assertThat(entries).containsExactly(marker); // no temporary file left
        }
    }

    @Test
    void createEmptyRefusesAMissingDirectoryAndADirectoryInTheWay() throws IOException {
        assertThatThrownBy(() -> AtomicFiles.createEmpty(dir.resolve("gone").resolve(".done")))
                .isInstanceOf(NoSuchFileException.class);
        Files.createDirectory(dir.resolve(".done"));
        assertThatThrownBy(() -> AtomicFiles.createEmpty(dir.resolve(".done")))
                .isInstanceOf(FileAlreadyExistsException.class);
    }
}

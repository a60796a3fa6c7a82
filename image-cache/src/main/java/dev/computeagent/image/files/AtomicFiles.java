package dev.computeagent.image.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Creates a file so that readers see it complete or not at all: it is written under a temporary
 * sibling name ({@code <name>.part}), synced, and renamed into place, replacing what was there.
 * On any failure the temporary file is removed and the target is left as it was.
 */
public final class AtomicFiles {

    /** Writes the content of the file being created; may run an external program on that path. */
    @FunctionalInterface
    public interface Writer {
        void write(Path file) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Creates {@code target} (and its missing parent directories) with what {@code writer} writes.
     *
     * @throws IOException the write, the sync or the rename failed (also when the file system cannot
     *                     rename atomically); unchecked exceptions of {@code writer} pass through
     */
    public static void create(Path target, Writer writer) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        Files.deleteIfExists(tmp);
        try {
            writer.write(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target + " does not support atomic rename", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

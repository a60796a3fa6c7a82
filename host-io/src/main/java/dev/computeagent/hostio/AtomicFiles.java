package dev.computeagent.hostio;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The one way the agent writes a file that must survive a crash whole (overlays, config drives, base
 * images and their records, the spawn marker, the request journal): the content goes to a temporary
 * sibling ({@code <name>.<unique>.part}), the file is fsynced, renamed over the target, and the
 * directory is fsynced. After a crash of the process or of the host a reader finds the target as it
 * was before or as written, never torn; once a method here returns, the new file is on disk.
 *
 * <p>On any failure the temporary file is removed and the target is left as it was. Temporary names
 * are unique per write, so concurrent writers of one target never mix their bytes (the last rename
 * wins). A crash can leave a temporary file behind: {@link #isTemporary} recognises it for sweeping.
 */
public final class AtomicFiles {

    /** Writes the content of the file being created; may run an external program on that path. */
    @FunctionalInterface
    public interface Writer {
        void write(Path file) throws IOException;
    }

    private static final Pattern TEMPORARY = Pattern.compile(".+\\.\\d+-\\d+\\.part");
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private AtomicFiles() {
    }

    /**
     * Creates or replaces {@code target} with what {@code writer} writes. The directory must exist: a
     * file whose directory was removed (an instance deleted meanwhile) is not silently recreated.
     *
     * @throws IOException the write, a sync or the rename failed (also when the file system cannot
     *                     rename atomically, or the directory does not exist); unchecked exceptions of
     *                     {@code writer} pass through
     */
    public static void create(Path target, Writer writer) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + "." + PID + "-" + SEQUENCE.incrementAndGet()
                + ".part");
        try {
            writer.write(tmp);
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@link #create} of a file holding {@code content}. */
    public static void write(Path target, byte[] content) throws IOException {
        create(target, tmp -> Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    /**
     * Creates the empty file {@code target} (a marker) durably when it does not exist yet: an empty file
     * has no content that could be torn, so creating it and fsyncing the directory is enough (one sync
     * instead of the two of {@link #write}).
     *
     * @throws IOException the file could not be created or the directory not synced (also when the
     *                     directory does not exist)
     */
    public static void createEmpty(Path target) throws IOException {
        try {
            Files.createFile(target);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /**
     * Publishes a file written elsewhere in the same directory (a download, a conversion) as
     * {@code target}: fsync, rename, fsync the directory. The caller removes {@code written} when this
     * fails.
     *
     * @throws IOException a sync or the rename failed
     */
    public static void moveIntoPlace(Path written, Path target) throws IOException {
        try (FileChannel ch = FileChannel.open(written, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target + " does not support atomic rename", e);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Makes the entries of {@code dir} (files created, renamed or removed in it) durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Whether {@code fileName} is the temporary file of a write here (left behind when a crash cut it). */
    public static boolean isTemporary(String fileName) {
        return TEMPORARY.matcher(fileName).matches();
    }
}

package dev.computeagent.image.cache;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a crashed process left in {@code _base}: part files, and records whose base never got
 * renamed into place. Only for images whose lock is free right now: a held lock means the files are
 * someone's work in progress, and a free lock means they cannot be (the pipeline cleans up before it
 * lets go). Lock files stay: deleting one that another process is about to lock would split the lock.
 */
final class LeftoverSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(LeftoverSweeper.class);

    private final CacheLayout layout;
    private final ImageLocks locks;

    LeftoverSweeper(CacheLayout layout, ImageLocks locks) {
        this.layout = layout;
        this.locks = locks;
    }

    /** @return how many files were removed */
    @SuppressWarnings("try") // the lock handle is only held, never read
    int sweep() {
        int removed = 0;
        if (!Files.isDirectory(layout.baseDir())) {
            return 0;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(layout.baseDir())) {
            for (Path file : dir) {
                String fileName = file.getFileName().toString();
                Optional<String> owner = CacheLayout.ownerOf(fileName);
                if (owner.isEmpty()) {
                    continue;
                }
                boolean orphanRecord = fileName.endsWith(".json");
                Optional<ImageLocks.Handle> lock = locks.tryLock(owner.get());
                if (lock.isEmpty()) {
                    continue;
                }
                try (ImageLocks.Handle held = lock.get()) {
                    if (!orphanRecord || !Files.exists(layout.base(owner.get()))) {
                        if (Files.deleteIfExists(file)) {
                            removed++;
                            LOG.info("removed leftover {}", file);
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot sweep leftovers in {}: {}", layout.baseDir(), e.getMessage());
        }
        return removed;
    }
}

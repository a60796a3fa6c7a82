package dev.computeagent.image.cache;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a crashed process left in {@code _base}: part files, records whose base never got
 * renamed into place, and lock files of images that are not cached (a failed fetch of another
 * process, a base removed by an older agent). Only for images whose lock is free right now: a held
 * lock means the files are someone's work in progress, and a free lock means they cannot be (the
 * pipeline cleans up before it lets go). A lock file is removed while its lock is held, which
 * {@link ImageLocks} makes safe for processes about to lock it.
 */
final class LeftoverSweeper {

    private static final Logger log = LoggerFactory.getLogger(LeftoverSweeper.class);

    private final CacheLayout layout;
    private final ImageLocks locks;

    LeftoverSweeper(CacheLayout layout, ImageLocks locks) {
        this.layout = layout;
        this.locks = locks;
    }

    /** @return how many files were removed */
    int sweep() {
        int removed = 0;
        if (!Files.isDirectory(layout.baseDir())) {
            return 0;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(layout.baseDir())) {
            for (Path file : dir) {
                String fileName = file.getFileName().toString();
                Optional<String> lockOwner = CacheLayout.lockOwnerOf(fileName);
                if (lockOwner.isPresent()) {
                    removed += removeLockIfUncached(lockOwner.get(), file);
                    continue;
                }
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
                    boolean cached = Files.exists(layout.base(owner.get()));
                    if ((!orphanRecord || !cached) && Files.deleteIfExists(file)) {
                        removed++;
                        log.info("removed leftover {}", file);
                    }
                    if (!cached) {
                        held.removeFile();
                    }
                }
            }
        } catch (IOException e) {
            log.warn("cannot sweep leftovers in {}: {}", layout.baseDir(), e.getMessage());
        }
        return removed;
    }

    private int removeLockIfUncached(String name, Path file) {
        if (Files.exists(layout.base(name))) {
            return 0;
        }
        Optional<ImageLocks.Handle> lock = locks.tryLock(name);
        if (lock.isEmpty()) {
            return 0;
        }
        try (ImageLocks.Handle held = lock.get()) {
            if (Files.exists(layout.base(name))) {
                return 0;
            }
            held.removeFile();
            log.debug("removed the lock file {} of an image not cached", file);
            return Files.exists(file) ? 0 : 1;
        }
    }
}

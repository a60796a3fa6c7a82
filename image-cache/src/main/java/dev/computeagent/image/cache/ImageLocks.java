package dev.computeagent.image.cache;

import dev.computeagent.image.ImageStorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One lock per cached image, held across threads and processes: a reentrant in-process lock guards
 * an OS file lock on {@code _base/<name>.lock}. The JVM refuses a second {@link FileChannel#lock()} on
 * one file within a process (even from another channel), so the in-process locks are JVM-wide, keyed
 * by the lock file's path: two caches over one state directory in one JVM coordinate as well. An
 * in-process entry lives only while some thread holds or waits for it.
 *
 * <p>Lock files can be removed ({@link Handle#removeFile()}), so that one is not left behind for every
 * image id ever asked for. Removal happens only while the lock is held, and every acquisition checks,
 * once it holds the OS lock, that the path still names the file it locked; a process that locked a
 * file removed meanwhile lets it go and locks the file now at the path. So removal never lets two
 * holders in at once.
 */
final class ImageLocks {

    private static final ConcurrentHashMap<Path, Entry> ENTRIES = new ConcurrentHashMap<>();
    private static final Path OWN_DESCRIPTORS = Path.of("/proc/self/fd");

    private final CacheLayout layout;

    ImageLocks(CacheLayout layout) {
        this.layout = layout;
    }

    /** Blocks until this thread holds the image's lock; close the handle to release it. */
    Handle lock(String name) {
        Path key = key(name);
        Entry entry = join(key);
        entry.local.lock();
        if (entry.local.getHoldCount() == 1) {
            try {
                acquireFile(entry, name, true);
            } catch (IOException | RuntimeException e) {
                entry.local.unlock();
                leave(key);
                throw new ImageStorageException("cannot lock " + layout.lock(name) + ": " + e.getMessage(), e);
            }
        }
        return new Handle(this, key, entry);
    }

    /**
     * Takes the image's lock only if nobody holds it: not another process, not another thread, and not
     * this thread either (unlike {@link #lock}, this is not reentrant).
     *
     * @return the held lock, or empty when it is busy
     */
    Optional<Handle> tryLock(String name) {
        Path key = key(name);
        Entry entry = join(key);
        if (entry.local.isHeldByCurrentThread() || !entry.local.tryLock()) {
            leave(key);
            return Optional.empty();
        }
        boolean held;
        try {
            held = acquireFile(entry, name, false);
        } catch (IOException | RuntimeException e) {
            entry.local.unlock();
            leave(key);
            throw new ImageStorageException("cannot lock " + layout.lock(name) + ": " + e.getMessage(), e);
        }
        if (!held) {
            entry.local.unlock();
            leave(key);
            return Optional.empty();
        }
        return Optional.of(new Handle(this, key, entry));
    }

    /** Whether some thread waits for the image's lock (for tests that stage a race). */
    boolean hasWaiters(String name) {
        Entry entry = ENTRIES.get(key(name));
        return entry != null && entry.local.hasQueuedThreads();
    }

    private Path key(String name) {
        return layout.lock(name).toAbsolutePath().normalize();
    }

    private static Entry join(Path key) {
        return ENTRIES.compute(key, (k, e) -> {
            Entry entry = e == null ? new Entry() : e;
            entry.users++;
            return entry;
        });
    }

    private static void leave(Path key) {
        ENTRIES.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }

    /**
     * Locks the file at the image's lock path, looping while the file it locked turns out to have been
     * removed (or replaced) by its previous holder.
     *
     * @param wait block for the OS lock; else give up when another process holds it
     * @return whether the lock is held
     */
    private boolean acquireFile(Entry entry, String name, boolean wait) throws IOException {
        Path path = layout.lock(name);
        while (true) {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock;
            try {
                fileLock = wait ? channel.lock() : channel.tryLock();
                if (fileLock != null && namesLockedFile(path)) {
                    entry.channel = channel;
                    entry.fileLock = fileLock;
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            channel.close();
            if (fileLock == null) {
                return false;
            }
        }
    }

    /**
     * Whether {@code path} still names the file this process has just opened and locked.
     * The file must not be opened again to find out: closing any descriptor of a file drops the POSIX
     * locks the process holds on it. So the file at {@code path} is compared by identity (device and
     * inode, from {@code stat}) with the files behind this process's descriptors ({@code /proc/self/fd},
     * {@code stat} through the link). Within this JVM only the holder of the in-process lock has the
     * lock file open, so a match is the descriptor just locked.
     */
    private static boolean namesLockedFile(Path path) throws IOException {
        Object key;
        try {
            key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return false;
        }
        if (key == null || !Files.isDirectory(OWN_DESCRIPTORS)) {
            return true; // no way to tell (not Linux): lock files are then never removed, see removeFile
        }
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(OWN_DESCRIPTORS)) {
            for (Path descriptor : descriptors) {
                try {
                    if (key.equals(Files.readAttributes(descriptor, BasicFileAttributes.class).fileKey())) {
                        return true;
                    }
                } catch (IOException closedMeanwhile) {
                    // another thread's descriptor, gone since the listing
                }
            }
        }
        return false;
    }

    private void release(Path key, Entry entry) {
        if (entry.local.getHoldCount() == 1) {
            closeQuietly(entry);
        }
        entry.local.unlock();
        leave(key);
    }

    private static void closeQuietly(Entry entry) {
        try {
            if (entry.fileLock != null) {
                entry.fileLock.release();
            }
            if (entry.channel != null) {
                entry.channel.close();
            }
        } catch (IOException ignored) {
            // closing the channel releases the lock in any case
        } finally {
            entry.fileLock = null;
            entry.channel = null;
        }
    }

    /** A held lock. */
    static final class Handle implements AutoCloseable {
        private final ImageLocks owner;
        private final Path key;
        private final Entry entry;
        private boolean closed;

        private Handle(ImageLocks owner, Path key, Entry entry) {
            this.owner = owner;
            this.key = key;
            this.entry = entry;
        }

        /**
         * Removes the lock file while the lock is held (the image has nothing left to protect); the lock
         * itself stays held until {@link #close()}. Best effort: a file that cannot be removed stays.
         */
        void removeFile() {
            if (!Files.isDirectory(OWN_DESCRIPTORS)) {
                return; // acquisitions cannot tell a removed lock file from the current one here
            }
            try {
                Files.deleteIfExists(key);
            } catch (IOException ignored) {
                // a lock file left behind is only clutter; the next sweep tries again
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                owner.release(key, entry);
            }
        }
    }

    private static final class Entry {
        final ReentrantLock local = new ReentrantLock();
        /** Threads holding or waiting for {@link #local}; changed only inside {@code ENTRIES.compute}. */
        int users;
        @Nullable FileChannel channel;
        @Nullable FileLock fileLock;
    }
}

package dev.computeagent.image.cache;

import dev.computeagent.image.ImageStorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per cached image, held across threads and processes: a reentrant in-process lock guards
 * an OS file lock on {@code _base/<name>.lock}. The JVM refuses a second {@link FileChannel#lock()} on
 * one file within a process (even from another channel), so the in-process locks are JVM-wide, keyed
 * by the lock file's path: two caches over one state directory in one JVM coordinate as well.
 */
final class ImageLocks {

    private final CacheLayout layout;
    private static final ConcurrentHashMap<Path, Entry> ENTRIES = new ConcurrentHashMap<>();

    ImageLocks(CacheLayout layout) {
        this.layout = layout;
    }

    /** Blocks until this thread holds the image's lock; close the handle to release it. */
    Handle lock(String name) {
        Entry entry = ENTRIES.computeIfAbsent(key(name), n -> new Entry());
        entry.local.lock();
        if (entry.local.getHoldCount() == 1) {
            try {
                entry.channel = FileChannel.open(layout.lock(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                entry.fileLock = entry.channel.lock();
            } catch (IOException e) {
                closeQuietly(entry);
                entry.local.unlock();
                throw new ImageStorageException("cannot lock " + layout.lock(name) + ": " + e.getMessage(), e);
            }
        }
        return () -> release(entry);
    }

    /**
     * Takes the image's lock only if nobody holds it: not another process, not another thread, and not
     * this thread either (unlike {@link #lock}, this is not reentrant).
     *
     * @return the held lock, or empty when it is busy
     */
    Optional<Handle> tryLock(String name) {
        Entry entry = ENTRIES.computeIfAbsent(key(name), n -> new Entry());
        if (entry.local.isHeldByCurrentThread() || !entry.local.tryLock()) {
            return Optional.empty();
        }
        if (entry.local.getHoldCount() == 1) {
            try {
                entry.channel = FileChannel.open(layout.lock(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                entry.fileLock = entry.channel.tryLock();
            } catch (IOException e) {
                closeQuietly(entry);
                entry.local.unlock();
                throw new ImageStorageException("cannot lock " + layout.lock(name) + ": " + e.getMessage(), e);
            }
            if (entry.fileLock == null) {
                closeQuietly(entry);
                entry.local.unlock();
                return Optional.empty();
            }
        }
        return Optional.of(() -> release(entry));
    }

    /** Whether some thread waits for the image's lock (for tests that stage a race). */
    boolean hasWaiters(String name) {
        Entry entry = ENTRIES.get(key(name));
        return entry != null && entry.local.hasQueuedThreads();
    }

    private Path key(String name) {
        return layout.lock(name).toAbsolutePath().normalize();
    }

    private static void release(Entry entry) {
        if (entry.local.getHoldCount() == 1) {
            closeQuietly(entry);
        }
        entry.local.unlock();
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
    interface Handle extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Entry {
        final ReentrantLock local = new ReentrantLock();
        FileChannel channel;
        FileLock fileLock;
    }
}

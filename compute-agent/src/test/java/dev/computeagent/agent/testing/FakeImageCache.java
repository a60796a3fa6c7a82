package dev.computeagent.agent.testing;

import dev.computeagent.image.CacheStatistics;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.GcReport;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageException;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.ImageTooLargeException;
import dev.computeagent.image.ImageUpload;
import dev.computeagent.image.Overlay;
import dev.computeagent.image.StoredImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An {@link ImageCache} for unit tests: every image exists (1 MiB), overlays are small real files,
 * and a failure can be injected per image id.
 */
public final class FakeImageCache implements ImageCache {

    private final Map<String, Long> virtualSizes = new ConcurrentHashMap<>();
    private final Map<String, Supplier<? extends ImageException>> failures = new ConcurrentHashMap<>();
    private final Map<String, Runnable> fetchHooks = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> properties = new ConcurrentHashMap<>();
    private final AtomicInteger overlays = new AtomicInteger();
    private final Map<Path, Long> diskSizes = new ConcurrentHashMap<>();
    private final Map<String, ImageUpload> uploads = new ConcurrentHashMap<>();
    private volatile Supplier<? extends ImageException> uploadFailure;

    public void failFetch(String imageId, Supplier<? extends ImageException> failure) {
        failures.put(imageId, failure);
    }

    /** Runs {@code hook} inside every fetch of {@code imageId}, as if the download took that long. */
    public void onFetch(String imageId, Runnable hook) {
        fetchHooks.put(imageId, hook);
    }

    /** {@code imageId}'s virtual size from now on (default 1 MiB). */
    public void virtualSize(String imageId, long bytes) {
        virtualSizes.put(imageId, bytes);
    }

    /** Gives {@code imageId} these image properties (e.g. {@code hw_qemu_guest_agent=yes}). */
    public void setProperties(String imageId, Map<String, String> imageProperties) {
        properties.put(imageId, Map.copyOf(imageProperties));
    }

    /** The next uploads throw what {@code failure} supplies (null: they succeed again). */
    public void failUploads(Supplier<? extends ImageException> failure) {
        uploadFailure = failure;
    }

    /** The uploads that succeeded, by image id. */
    public Map<String, ImageUpload> uploads() {
        return Map.copyOf(uploads);
    }

    public int overlaysCreated() {
        return overlays.get();
    }

    /** Records the upload; the file must exist (it is the caller's until this returns). */
    @Override
    public StoredImage upload(ImageUpload upload) {
        Supplier<? extends ImageException> failure = uploadFailure;
        if (failure != null) {
            throw failure.get();
        }
        try {
            long size = Files.size(upload.file());
            uploads.put(upload.imageId(), upload);
            return new StoredImage(upload.imageId(), size, "0".repeat(32), "0".repeat(128));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public CachedImage fetch(String imageId) {
        Runnable hook = fetchHooks.get(imageId);
        if (hook != null) {
            hook.run();
        }
        Supplier<? extends ImageException> failure = failures.get(imageId);
        if (failure != null) {
            throw failure.get();
        }
        return new CachedImage(imageId, Path.of("/nonexistent/_base", imageId), "raw",
                virtualSizes.getOrDefault(imageId, 1L << 20), 1 << 20, Instant.now(), false,
                properties.getOrDefault(imageId, Map.of()));
    }

    @Override
    public CachedImage fetch(String imageId, long maxVirtualSizeBytes) {
        CachedImage image = fetch(imageId);
        if (maxVirtualSizeBytes > 0 && image.virtualSize() > maxVirtualSizeBytes) {
            throw new ImageTooLargeException("image " + imageId + " is larger than " + maxVirtualSizeBytes);
        }
        return image;
    }

    @Override
    public Overlay createOverlay(String imageId, Path overlay, long sizeBytes) {
        CachedImage base = fetch(imageId);
        boolean reused = Files.exists(overlay);
        try {
            if (!reused) {
                Files.writeString(overlay, "qcow2 overlay of " + imageId);
                overlays.incrementAndGet();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long size = sizeBytes == 0 ? base.virtualSize() : sizeBytes;
        diskSizes.putIfAbsent(overlay.toAbsolutePath(), size);
        return new Overlay(overlay, base, size, reused);
    }

    @Override
    public void createBlankDisk(Path disk, long sizeBytes) {
        try {
            if (!Files.exists(disk)) {
                Files.writeString(disk, "empty qcow2 disk of " + sizeBytes + " bytes");
            }
            diskSizes.putIfAbsent(disk.toAbsolutePath(), sizeBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The size of a disk this cache made or grew, as if read from its header (files copied elsewhere are unknown). */
    @Override
    public long diskVirtualSize(Path disk) {
        Long size = diskSizes.get(disk.toAbsolutePath());
        if (size == null || !Files.exists(disk)) {
            throw new ImageStorageException("disk " + disk + " is not a qcow2 image this fake made");
        }
        return size;
    }

    @Override
    public void growDisk(Path disk, long sizeBytes) {
        diskSizes.merge(disk.toAbsolutePath(), sizeBytes, Math::max);
    }

    @Override
    public List<CachedImage> list() {
        return List.of();
    }

    @Override
    public CacheStatistics statistics() {
        return new CacheStatistics(0, 0, 0, 0, 0, 0, Map.of());
    }

    @Override
    public GcReport collectGarbage() {
        throw new UnsupportedOperationException("not needed by the agent's core tests");
    }

    @Override
    public void close() {
    }
}

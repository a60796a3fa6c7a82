package dev.computeagent.image.cache;

import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.CacheStatistics;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.GcReport;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheOptions;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageException;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.ImageTooLargeException;
import dev.computeagent.image.ImageUpload;
import dev.computeagent.image.Overlay;
import dev.computeagent.image.StoredImage;
import dev.computeagent.image.inspect.FormatInspector;
import dev.computeagent.image.qemu.ConvertLimits;
import dev.computeagent.image.qemu.QemuImg;
import dev.computeagent.image.store.ImageStore;
import dev.computeagent.image.store.ImageStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link ImageCache}: single flight per image in this process (a shared future keyed by image and
 * size limit) and across processes (the image's file lock, re-checked once held).
 */
public final class DefaultImageCache implements ImageCache {

    private static final int OVERLAY_ATTEMPTS = 3;

    private final ImageCacheSettings settings;
    private final CacheLayout layout;
    private final BaseEntries entries;
    private final ImageLocks locks;
    private final FetchPipeline pipeline;
    private final OverlayMaker overlays;
    private final OverlayScanner scanner;
    private final GarbageCollector gc;
    private final LeftoverSweeper sweeper;
    private final CacheCounters counters = new CacheCounters();
    private final SingleFlight<FlightKey, CachedImage> flights = new SingleFlight<>();
    private final AtomicInteger waitingCallers = new AtomicInteger();
    private final long maxVirtualSize;
    private final ImageStore store;

    private record FlightKey(String name, long maxVirtualSize) {
    }

    private DefaultImageCache(ImageCacheSettings settings, ImageCacheOptions options, ImageStore store) {
        this.settings = settings;
        this.maxVirtualSize = options.maxVirtualSize();
        this.store = store;
        this.layout = new CacheLayout(settings.stateDir());
        this.entries = new BaseEntries(layout);
        this.locks = new ImageLocks(layout);
        FormatInspector inspector = new FormatInspector();
        QemuImg qemuImg = new QemuImg(new ProcessRunner(), options.qemuImgTimeout(),
                ConvertLimits.defaults(options.qemuImgConvertTimeout()));
        this.pipeline = new FetchPipeline(layout, entries, locks, store, new Retrier(options), inspector, qemuImg,
                counters, settings);
        this.overlays = new OverlayMaker(inspector, qemuImg);
        this.scanner = new OverlayScanner(layout, inspector);
        this.gc = new GarbageCollector(entries, locks, scanner, settings.maxUnusedAge(), settings.quotaBytes());
        this.sweeper = new LeftoverSweeper(layout, locks);
    }

    /** See {@link dev.computeagent.image.ImageCaches#open(ImageCacheSettings, ImageCacheOptions)}. */
    public static DefaultImageCache open(ImageCacheSettings settings, ImageCacheOptions options) {
        ImageStore store = ImageStores.forUrl(settings.storeUrl(), settings.token(), settings.downloadTimeout());
        DefaultImageCache cache = new DefaultImageCache(settings, options, store);
        try {
            Files.createDirectories(cache.layout.baseDir());
        } catch (IOException e) {
            throw new ImageStorageException("cannot create " + cache.layout.baseDir() + ": " + e.getMessage(), e);
        }
        cache.sweeper.sweep();
        return cache;
    }

    @Override
    public StoredImage upload(ImageUpload upload) {
        ImageIds.validate(upload.imageId());
        return store.upload(upload);
    }

    @Override
    public CachedImage fetch(String imageId) {
        return obtain(ImageIds.validate(imageId), 0);
    }

    @Override
    public CachedImage fetch(String imageId, long maxVirtualSizeBytes) {
        ImageIds.validate(imageId);
        if (maxVirtualSizeBytes < 0) {
            throw new IllegalArgumentException("maxVirtualSizeBytes must be >= 0");
        }
        CachedImage image = obtain(imageId, maxVirtualSizeBytes);
        // a hit was cached under another limit: the caller's disk must still hold it
        if (maxVirtualSizeBytes > 0 && image.virtualSize() > maxVirtualSizeBytes) {
            ImageTooLargeException e = new ImageTooLargeException("image " + imageId + " has virtual size "
                    + image.virtualSize() + " bytes, more than the " + maxVirtualSizeBytes + " bytes allowed");
            counters.refused(e.reason());
            throw e;
        }
        return image;
    }

    @Override
    public void createBlankDisk(Path disk, long sizeBytes) {
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("sizeBytes must be > 0");
        }
        overlays.makeBlank(disk.toAbsolutePath().normalize(), sizeBytes);
    }

    @Override
    public long diskVirtualSize(Path disk) {
        return overlays.virtualSize(disk.toAbsolutePath().normalize());
    }

    @Override
    public void growDisk(Path disk, long sizeBytes) {
        overlays.grow(disk.toAbsolutePath().normalize(), sizeBytes);
    }

    @SuppressWarnings("try") // the lock handle is only held, never read
    @Override
    public Overlay createOverlay(String imageId, Path overlay, long sizeBytes) {
        ImageIds.validate(imageId);
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must be >= 0");
        }
        String name = ImageIds.cacheName(imageId);
        for (int attempt = 1; ; attempt++) {
            obtain(imageId, sizeBytes);
            // the lock keeps GC away between "the base exists" and "an overlay references it"
            try (ImageLocks.Handle ignored = locks.lock(name)) {
                Optional<CachedImage> base = entries.read(name);
                if (base.isPresent()) {
                    Overlay made = overlays.make(base.get(), overlay.toAbsolutePath().normalize(), sizeBytes);
                    entries.touch(base.get().path());
                    return made;
                }
            } catch (ImageException e) {
                counters.refused(e.reason());
                throw e;
            }
            if (attempt == OVERLAY_ATTEMPTS) {
                throw new ImageStorageException("base of image " + imageId + " was removed " + attempt
                        + " times while creating " + overlay);
            }
        }
    }

    /** @param diskSize the disk the image must fit, 0 = any (up to the cache's own limit) */
    private CachedImage obtain(String imageId, long diskSize) {
        long limit = diskSize > 0 ? Math.min(diskSize, maxVirtualSize) : maxVirtualSize;
        String name = ImageIds.cacheName(imageId);
        Optional<CachedImage> cached = entries.read(name);
        if (cached.isPresent()) {
            counters.hits.increment();
            entries.touch(cached.get().path());
            return cached.get();
        }
        counters.misses.increment();
        waitingCallers.incrementAndGet();
        try {
            return flights.run(new FlightKey(name, limit), () -> lead(imageId, limit));
        } finally {
            waitingCallers.decrementAndGet();
        }
    }

    private CachedImage lead(String imageId, long limit) {
        try {
            return pipeline.fetch(imageId, limit).image();
        } catch (ImageException e) {
            // counted once per flight, not once per waiting caller
            counters.refused(e.reason());
            throw e;
        }
    }

    /** Callers now waiting for an image to arrive in the cache (leading or sharing a download). */
    public int callersWaitingForImages() {
        return waitingCallers.get();
    }

    @Override
    public List<CachedImage> list() {
        Set<String> inUse = scanner.basesInUse();
        return entries.all().stream()
                .map(i -> new CachedImage(i.imageId(), i.path(), i.format(), i.virtualSize(), i.bytes(), i.lastUsed(),
                        inUse.contains(i.path().getFileName().toString()), i.properties()))
                .toList();
    }

    @Override
    public CacheStatistics statistics() {
        List<CachedImage> all = entries.all();
        return new CacheStatistics(all.size(), all.stream().mapToLong(CachedImage::bytes).sum(), counters.hits.sum(),
                counters.misses.sum(), counters.downloads.sum(), counters.bytesDownloaded.sum(), counters.refusals());
    }

    @Override
    public GcReport collectGarbage() {
        sweeper.sweep();
        return gc.collect();
    }

    @Override
    public void close() {
        // nothing to release: locks are per call and the HTTP client holds no resources between calls
    }

    @Override
    public String toString() {
        return "DefaultImageCache[" + settings + "]";
    }
}

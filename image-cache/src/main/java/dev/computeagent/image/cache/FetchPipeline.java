package dev.computeagent.image.cache;

import dev.computeagent.hostio.AtomicFiles;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.ImageTooLargeException;
import dev.computeagent.image.ImageUnsafeException;
import dev.computeagent.image.inspect.FormatInspector;
import dev.computeagent.image.inspect.ImageFormat;
import dev.computeagent.image.inspect.Inspection;
import dev.computeagent.image.qemu.QemuImageInfo;
import dev.computeagent.image.qemu.QemuImg;
import dev.computeagent.image.store.ImageMetadata;
import dev.computeagent.image.store.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one image into the cache, under its lock (Nova's fetch_to_raw in spirit): metadata → download
 * into a part file while hashing, within a deadline ({@link DownloadDeadline}) → verify → inspect in
 * Java → confirm with {@code qemu-img info} → convert to raw when configured → record → atomic rename.
 * Whatever fails, no part file, no entry and no lock file remain.
 */
final class FetchPipeline {

    private static final Logger log = LoggerFactory.getLogger(FetchPipeline.class);

    private final CacheLayout layout;
    private final BaseEntries entries;
    private final ImageLocks locks;
    private final ImageStore store;
    private final Retrier retrier;
    private final FormatInspector inspector;
    private final QemuImg qemuImg;
    private final Semaphore downloadSlots;
    private final CacheCounters counters;
    private final boolean forceRaw;
    private final Duration stallTimeout;
    private final long minDownloadRate;

    FetchPipeline(CacheLayout layout, BaseEntries entries, ImageLocks locks, ImageStore store, Retrier retrier,
                  FormatInspector inspector, QemuImg qemuImg, CacheCounters counters, ImageCacheSettings settings) {
        this.layout = layout;
        this.entries = entries;
        this.locks = locks;
        this.store = store;
        this.retrier = retrier;
        this.inspector = inspector;
        this.qemuImg = qemuImg;
        this.downloadSlots = new Semaphore(settings.maxDownloads(), true);
        this.counters = counters;
        this.forceRaw = settings.forceRaw();
        this.stallTimeout = settings.downloadTimeout();
        this.minDownloadRate = settings.minDownloadRate();
    }

    /** What a fetch did: the entry and whether it downloaded it. */
    record Fetched(CachedImage image, boolean downloaded) {
    }

    /**
     * @param maxVirtualSize refuse (before converting or committing) an image larger than this
     */
    Fetched fetch(String imageId, long maxVirtualSize) {
        String name = ImageIds.cacheName(imageId);
        try (ImageLocks.Handle lock = locks.lock(name)) {
            Optional<CachedImage> existing = entries.read(name);
            if (existing.isPresent()) {
                // another process (or an earlier flight) committed it while we waited for the lock
                entries.touch(existing.get().path());
                return new Fetched(existing.get(), false);
            }
            try {
                return new Fetched(download(imageId, name, maxVirtualSize), true);
            } catch (RuntimeException | Error e) {
                // nothing cached under this name: its lock file would only pile up (one per id ever asked for)
                lock.removeFile();
                throw e;
            } finally {
                deleteParts(name);
            }
        }
    }

    private CachedImage download(String imageId, String name, long maxVirtualSize) {
        deleteParts(name);
        ImageMetadata metadata = retrier.call("metadata of image " + imageId, () -> store.metadata(imageId));
        if (!"active".equals(metadata.status())) {
            throw new ImageNotFoundException("image " + imageId + " is not active (status " + metadata.status() + ")");
        }
        Optional<ImageFormat> declared = declaredFormat(metadata);
        checkContainerFormat(metadata);
        if (metadata.virtualSize().isPresent() && metadata.virtualSize().getAsLong() > maxVirtualSize) {
            throw tooLarge(imageId, metadata.virtualSize().getAsLong(), maxVirtualSize);
        }
        Path part = layout.downloadPart(name);
        acquireSlot();
        try {
            // from the slot on, not before: waiting for a slot is not the store's slowness
            DownloadDeadline deadline = DownloadDeadline.startingNow(imageId, metadata.size(), minDownloadRate,
                    stallTimeout);
            retrier.call("download of image " + imageId, () -> {
                new VerifiedDownload(store).run(metadata, part, deadline, counters.bytesDownloaded::add);
                return part;
            });
        } finally {
            downloadSlots.release();
        }
        counters.downloads.increment();
        Inspection inspection = inspector.inspect(part);
        if (declared.isPresent() && declared.get() != inspection.format()) {
            throw new ImageUnsafeException("image " + imageId + " is declared " + declared.get().qemuName()
                    + " but its bytes are " + inspection.format().qemuName());
        }
        if (inspection.virtualSize() > maxVirtualSize) {
            throw tooLarge(imageId, inspection.virtualSize(), maxVirtualSize);
        }
        long virtualSize = confirmWithQemuImg(imageId, part, inspection);
        Path ready = part;
        ImageFormat format = inspection.format();
        if (forceRaw && format == ImageFormat.QCOW2) {
            ready = layout.convertPart(name);
            qemuImg.convert(part, format.qemuName(), ready, ImageFormat.RAW.qemuName(), virtualSize);
            format = ImageFormat.RAW;
        }
        return commit(imageId, name, ready, format, virtualSize, metadata.properties());
    }

    private Optional<ImageFormat> declaredFormat(ImageMetadata metadata) {
        if (metadata.diskFormat().isEmpty()) {
            return Optional.empty();
        }
        String diskFormat = metadata.diskFormat().get();
        return Optional.of(ImageFormat.acceptedByName(diskFormat).orElseThrow(() -> new ImageUnsafeException(
                "image " + metadata.id() + " has disk_format " + diskFormat + ": only raw and qcow2 are accepted")));
    }

    /** A disk image is the whole payload only in a {@code bare} (or {@code ovf}) container; others wrap it. */
    private static void checkContainerFormat(ImageMetadata metadata) {
        Optional<String> container = metadata.containerFormat();
        if (container.isPresent() && !container.get().equals("bare") && !container.get().equals("ovf")) {
            throw new ImageUnsafeException("image " + metadata.id() + " has container_format " + container.get()
                    + ": only bare (or ovf) is accepted");
        }
    }

    /**
     * qemu-img reads the file as the inspected format, never probing, and must agree on everything
     * (qemu rounds a raw image's size up to whole 512-byte sectors: that is the size the guest sees).
     *
     * @return the virtual size as qemu sees it
     */
    private long confirmWithQemuImg(String imageId, Path part, Inspection inspection) {
        QemuImageInfo info = qemuImg.info(part, inspection.format().qemuName());
        long expected = inspection.format() == ImageFormat.RAW ? (inspection.virtualSize() + 511) & ~511L
                : inspection.virtualSize();
        if (!inspection.format().qemuName().equals(info.format()) || info.virtualSize() != expected
                || info.backingFile().isPresent() || info.dataFile().isPresent()) {
            throw new ImageUnsafeException("qemu-img disagrees with the inspection of image " + imageId + " ("
                    + inspection + "): " + info);
        }
        return info.virtualSize();
    }

    private CachedImage commit(String imageId, String name, Path ready, ImageFormat format, long virtualSize,
                               Map<String, String> properties) {
        Path base = layout.base(name);
        try {
            entries.writeRecord(name, new BaseRecord(imageId, format.qemuName(), virtualSize, properties));
            AtomicFiles.moveIntoPlace(ready, base);
        } catch (IOException e) {
            try {
                entries.delete(name);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new ImageStorageException("cannot commit image " + imageId + " to the cache: " + e.getMessage(), e);
        }
        log.info("cached image {} as {} ({}, virtual size {})", imageId, base, format.qemuName(), virtualSize);
        return entries.read(name).orElseThrow(() -> new ImageStorageException("image " + imageId
                + " vanished right after it was cached"));
    }

    private void acquireSlot() {
        try {
            downloadSlots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageStorageException("interrupted while waiting for a download slot", e);
        }
    }

    private void deleteParts(String name) {
        for (Path p : new Path[] {layout.downloadPart(name), layout.convertPart(name)}) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                log.warn("cannot remove {}: {}", p, e.getMessage());
            }
        }
    }

    private static ImageTooLargeException tooLarge(String imageId, long virtualSize, long max) {
        return new ImageTooLargeException("image " + imageId + " has virtual size " + virtualSize
                + " bytes, more than the " + max + " bytes allowed (the requested disk, or the cache's limit)");
    }
}

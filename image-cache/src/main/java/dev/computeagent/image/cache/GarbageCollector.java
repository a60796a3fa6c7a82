package dev.computeagent.image.cache;

import dev.computeagent.image.CachedImage;
import dev.computeagent.image.GcReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes unused bases (Nova's imagecache in spirit): first those unused for longer than the maximum
 * age, then, while the cache is above its quota, the least recently used unused ones. Every removal
 * re-checks under the image's lock that no overlay uses it and that nobody touched it meanwhile, so
 * a concurrent spawn either sees the base or re-fetches it, never a half-deleted one.
 */
final class GarbageCollector {

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private final BaseEntries entries;
    private final ImageLocks locks;
    private final OverlayScanner scanner;
    private final Duration maxUnusedAge;
    private final Optional<Long> quotaBytes;

    GarbageCollector(BaseEntries entries, ImageLocks locks, OverlayScanner scanner, Duration maxUnusedAge,
                     Optional<Long> quotaBytes) {
        this.entries = entries;
        this.locks = locks;
        this.scanner = scanner;
        this.maxUnusedAge = maxUnusedAge;
        this.quotaBytes = quotaBytes;
    }

    GcReport collect() {
        Instant cutoff = Instant.now().minus(maxUnusedAge);
        List<CachedImage> all = new ArrayList<>(entries.all());
        Set<String> inUse = scanner.basesInUse();
        List<CachedImage> unused = new ArrayList<>(all.stream()
                .filter(i -> !inUse.contains(i.path().getFileName().toString()))
                .sorted(Comparator.comparing(CachedImage::lastUsed))
                .toList());
        List<String> removed = new ArrayList<>();
        long freed = 0;
        long total = all.stream().mapToLong(CachedImage::bytes).sum();
        for (CachedImage image : List.copyOf(unused)) {
            if (image.lastUsed().isBefore(cutoff)) {
                long bytes = removeIfStillUnused(image);
                if (bytes >= 0) {
                    removed.add(image.imageId());
                    freed += bytes;
                    total -= bytes;
                    unused.remove(image);
                }
            }
        }
        if (quotaBytes.isPresent()) {
            for (CachedImage image : List.copyOf(unused)) {
                if (total <= quotaBytes.get()) {
                    break;
                }
                long bytes = removeIfStillUnused(image);
                if (bytes >= 0) {
                    removed.add(image.imageId());
                    freed += bytes;
                    total -= bytes;
                    unused.remove(image);
                }
            }
        }
        return new GcReport(List.copyOf(removed), freed, unused.size());
    }

    /** @return bytes freed, or -1 when the image turned out to be in use or was used since the listing */
    private long removeIfStillUnused(CachedImage image) {
        String name = image.path().getFileName().toString();
        try (ImageLocks.Handle lock = locks.lock(name)) {
            Optional<CachedImage> now = entries.read(name);
            if (now.isEmpty() || scanner.basesInUse().contains(name) || !now.get().lastUsed().equals(image.lastUsed())) {
                return -1;
            }
            long bytes = entries.delete(name);
            lock.removeFile();
            log.info("garbage-collected base image {} ({} bytes, last used {})", image.imageId(), bytes,
                    image.lastUsed());
            return bytes;
        } catch (IOException e) {
            log.warn("cannot remove base image {}: {}", image.imageId(), e.getMessage());
            return -1;
        }
    }
}

package dev.computeagent.image.cache;

import dev.computeagent.image.CacheStatistics;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.ImageException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * The second process of {@link SingleFlightHttpQemuImgTest}: reports whether another process holds
 * the image's lock, then fetches the image and prints what it got and its own counters.
 * Arguments: state dir, store URL, image id.
 */
public final class CrossProcessFetchMain {

    private CrossProcessFetchMain() {
    }

    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]);
        String imageId = args[2];
        Path lockFile = new CacheLayout(stateDir).lock(ImageIds.cacheName(imageId));
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock probe = ch.tryLock();
            System.out.println("LOCK-HELD-ELSEWHERE=" + (probe == null));
            if (probe != null) {
                probe.release();
            }
        }
        System.out.flush();
        ImageCacheSettings settings = new ImageCacheSettings(stateDir, URI.create(args[1]), Optional.empty(), true,
                Duration.ofHours(24), Optional.empty(), Duration.ofSeconds(30), 4,
                ImageCacheSettings.DEFAULT_MIN_DOWNLOAD_RATE);
        try (ImageCache cache = ImageCaches.open(settings)) {
            CachedImage image = cache.fetch(imageId);
            CacheStatistics stats = cache.statistics();
            System.out.println("RESULT " + image.path() + " " + image.format() + " " + image.virtualSize());
            System.out.println("STATS downloads=" + stats.downloads() + " misses=" + stats.misses());
        } catch (ImageException e) {
            System.out.println("ERROR " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
        System.out.flush();
    }
}

package dev.computeagent.image;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to build an {@link ImageCache}.
 *
 * @param stateDir        the agent's state directory; bases live in {@code stateDir/_base}
 * @param storeUrl        {@code http(s)://…} (Glance v2) or {@code file:///dir} (directory store)
 * @param token           sent as {@code X-Auth-Token} to a Glance store when present
 * @param forceRaw        convert qcow2 bases to raw when caching (Nova's force_raw_images)
 * @param maxUnusedAge    unused bases older than this are garbage
 * @param quotaBytes      when present, LRU unused bases are removed while the cache is larger
 * @param downloadTimeout a download that receives nothing for this long fails (the stall timeout)
 * @param maxDownloads    concurrent downloads across images
 * @param minDownloadRate bytes per second a download must average: one image's download, retries
 *                        included, fails ({@link ImageDownloadTooSlowException}) once it has taken longer
 *                        than {@code downloadTimeout} plus its size at this rate (the bytes received so far
 *                        when the store gives no size)
 */
public record ImageCacheSettings(Path stateDir, URI storeUrl, Optional<String> token, boolean forceRaw,
                                 Duration maxUnusedAge, Optional<Long> quotaBytes, Duration downloadTimeout,
                                 int maxDownloads, long minDownloadRate) {

    /** 1 MiB/s: a 10 GiB image may take 2 h 50 min (plus the stall timeout) before it fails. */
    public static final long DEFAULT_MIN_DOWNLOAD_RATE = 1L << 20;

    public ImageCacheSettings {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(storeUrl, "storeUrl");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(maxUnusedAge, "maxUnusedAge");
        Objects.requireNonNull(quotaBytes, "quotaBytes");
        Objects.requireNonNull(downloadTimeout, "downloadTimeout");
        if (maxDownloads < 1) {
            throw new IllegalArgumentException("maxDownloads must be >= 1");
        }
        if (minDownloadRate < 1) {
            throw new IllegalArgumentException("minDownloadRate must be >= 1 byte/s");
        }
    }

    /**
     * Defaults like Nova's: raw bases, 24 h unused age, no quota, 60 s stall timeout, 4 downloads, and
     * {@link #DEFAULT_MIN_DOWNLOAD_RATE}.
     */
    public static ImageCacheSettings defaults(Path stateDir, URI storeUrl) {
        return new ImageCacheSettings(stateDir, storeUrl, Optional.empty(), true, Duration.ofHours(24),
                Optional.empty(), Duration.ofSeconds(60), 4, DEFAULT_MIN_DOWNLOAD_RATE);
    }

    @Override
    public String toString() {
        // the token is a credential: never in logs
        return "ImageCacheSettings[stateDir=" + stateDir + ", storeUrl=" + storeUrl + ", token="
                + (token.isPresent() ? "***" : "none") + ", forceRaw=" + forceRaw + ", maxUnusedAge=" + maxUnusedAge
                + ", quotaBytes=" + quotaBytes + ", downloadTimeout=" + downloadTimeout + ", maxDownloads="
                + maxDownloads + ", minDownloadRate=" + minDownloadRate + "]";
    }
}

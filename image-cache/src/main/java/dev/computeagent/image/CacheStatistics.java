package dev.computeagent.image;

import java.util.Map;

/**
 * Cache counters (since start-up) and current size, as plain values for metrics.
 *
 * @param images          cached base images now
 * @param bytes           bytes they occupy now
 * @param hits            fetches served from the cache
 * @param misses          fetches that needed a download
 * @param downloads       downloads completed successfully
 * @param bytesDownloaded bytes received from the store
 * @param refusals        failed fetches and overlays by {@link ImageException#reason()} (e.g. {@code UNSAFE},
 *                        {@code CHECKSUM_MISMATCH}, {@code TOO_LARGE}, {@code NOT_FOUND}); a failure shared by
 *                        concurrent callers counts once
 * <p>{@code bytes} is the files' apparent size (a sparse raw base counts its full length), which is
 * also what the quota is checked against.
 */
public record CacheStatistics(long images, long bytes, long hits, long misses, long downloads,
                              long bytesDownloaded, Map<String, Long> refusals) {
}

package dev.computeagent.agent.metrics;

import dev.computeagent.image.CacheStatistics;
import dev.computeagent.image.ImageCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The cache's statistics, read at most once per {@code maxAge}: one Prometheus scrape reads a dozen
 * meters and they all come from one {@link ImageCache#statistics()} call. A failing cache reads as
 * the last good values (all zero before the first).
 */
final class CacheStatisticsSnapshot {

    private static final CacheStatistics EMPTY = new CacheStatistics(0, 0, 0, 0, 0, 0, Map.of());

    private final ImageCache cache;
    private final Duration maxAge;
    private final Clock clock;
    private CacheStatistics last = EMPTY;
    private Instant readAt = Instant.MIN;

    CacheStatisticsSnapshot(ImageCache cache, Duration maxAge, Clock clock) {
        this.cache = cache;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    synchronized CacheStatistics get() {
        Instant now = clock.instant();
        if (readAt.plus(maxAge).isAfter(now)) {
            return last;
        }
        try {
            last = cache.statistics();
        } catch (RuntimeException e) {
            // keep the last good values; the failure shows up in the cache's own logs and health
        }
        readAt = now;
        return last;
    }
}

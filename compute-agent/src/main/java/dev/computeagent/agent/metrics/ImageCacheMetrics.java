package dev.computeagent.agent.metrics;

import dev.computeagent.image.ImageCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Image-cache meters: gauges {@code agent.image.cache.images} and {@code agent.image.cache.size}
 * (bytes); counters {@code agent.image.cache.hits}, {@code .misses}, {@code .downloads},
 * {@code .downloaded} (bytes) and {@code agent.image.cache.refusals} tagged {@code reason}. A
 * reason's counter appears the first time the cache reports it (checked at every refresh).
 * Nothing is registered when the context has no {@link ImageCache}.
 */
@Component
public class ImageCacheMetrics implements MeterBinder {

    private final ObjectProvider<ImageCache> cache;
    private final Set<String> registeredReasons = ConcurrentHashMap.newKeySet();
    private volatile @Nullable CacheStatisticsSnapshot snapshot;
    private volatile @Nullable MeterRegistry registry;

    public ImageCacheMetrics(ObjectProvider<ImageCache> cache) {
        this.cache = cache;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ImageCache current = cache.getIfAvailable();
        if (current == null) {
            return;
        }
        CacheStatisticsSnapshot stats = new CacheStatisticsSnapshot(current, Duration.ofSeconds(1), Clock.systemUTC());
        Gauge.builder("agent.image.cache.images", stats, s -> s.get().images())
                .description("Base images in the cache").register(registry);
        Gauge.builder("agent.image.cache.size", stats, s -> s.get().bytes()).baseUnit("bytes")
                .description("Bytes the cached base images occupy").register(registry);
        counter(registry, stats, "agent.image.cache.hits", "Fetches served from the cache", s -> s.get().hits());
        counter(registry, stats, "agent.image.cache.misses", "Fetches that needed a download", s -> s.get().misses());
        counter(registry, stats, "agent.image.cache.downloads", "Downloads completed", s -> s.get().downloads());
        FunctionCounter.builder("agent.image.cache.downloaded", stats, s -> s.get().bytesDownloaded())
                .baseUnit("bytes").description("Bytes received from the image store").register(registry);
        this.snapshot = stats;
        this.registry = registry;
        refreshRefusalReasons();
    }

    /** Registers a refusal counter for every reason the cache has reported so far. */
    @Scheduled(fixedDelayString = "${agent.metrics.refresh-interval:15s}")
    public void refreshRefusalReasons() {
        CacheStatisticsSnapshot stats = snapshot;
        MeterRegistry target = registry;
        if (stats == null || target == null || stats.get().refusals() == null) {
            return;
        }
        for (String reason : stats.get().refusals().keySet()) {
            if (registeredReasons.add(reason)) {
                FunctionCounter.builder("agent.image.cache.refusals", stats,
                                s -> s.get().refusals().getOrDefault(reason, 0L))
                        .tag("reason", reason).description("Images refused, by reason").register(target);
            }
        }
    }

    private static void counter(MeterRegistry registry, CacheStatisticsSnapshot stats, String name,
                                String description, ToDoubleFunction<CacheStatisticsSnapshot> value) {
        FunctionCounter.builder(name, stats, value).description(description).register(registry);
    }
}

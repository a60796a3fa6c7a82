package dev.computeagent.agent.imagecache;

import dev.computeagent.image.GcReport;
import dev.computeagent.image.ImageCache;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link ImageCache#collectGarbage()} every {@code agent.image-cache.gc-interval} on a thread
 * of its own (the first pass one interval after start), logging what each pass removed. A failing
 * pass, whatever it throws, is logged and the schedule goes on.
 */
public final class ImageCacheGcSchedule implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ImageCacheGcSchedule.class);

    private final ImageCache cache;
    private final Duration interval;
    private @Nullable ScheduledExecutorService scheduler;

    public ImageCacheGcSchedule(ImageCache cache, Duration interval) {
        this.cache = Objects.requireNonNull(cache, "cache");
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("agent.image-cache.gc-interval must be positive: " + interval);
        }
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "image-cache-gc");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::collectOnce, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** One pass; never throws. */
    void collectOnce() {
        try {
            GcReport report = cache.collectGarbage();
            if (report.removed().isEmpty()) {
                log.debug("image cache GC: nothing removed, {} unused image(s) kept", report.kept());
            } else {
                log.info("image cache GC removed {} ({} bytes freed), kept {} unused image(s)", report.removed(),
                        report.bytesFreed(), report.kept());
            }
        } catch (Throwable t) {
            log.error("image cache GC failed; retrying in {}", interval, t);
        }
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}

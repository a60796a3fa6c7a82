package dev.computeagent.agent.imagecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.image.GcReport;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageStorageException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The GC schedule runs the cache's collection periodically and survives failing passes. */
class ImageCacheGcScheduleTest {

    /** Collection passes of a cache whose GC fails on its first passes (one with an Error), then succeeds. */
    private final AtomicInteger passes = new AtomicInteger();
    private volatile Thread gcThread;

    private ImageCache cache() {
        return (ImageCache) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ImageCache.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("collectGarbage")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    gcThread = Thread.currentThread();
                    int n = passes.incrementAndGet();
                    if (n == 1) {
                        throw new ImageStorageException("instances unreadable");
                    }
                    if (n == 2) {
                        throw new OutOfMemoryError("simulated");
                    }
                    return new GcReport(List.of("old-image"), 1024, 0);
                });
    }

    @Test
    void collectsEveryIntervalOnItsOwnThreadAndFailuresDoNotEndTheSchedule() {
        ImageCacheGcSchedule schedule = new ImageCacheGcSchedule(cache(), Duration.ofMillis(20));
        schedule.start();
        try {
            assertThat(schedule.isRunning()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> passes.get() >= 4);
            assertThat(gcThread.getName()).isEqualTo("image-cache-gc");
        } finally {
            schedule.stop();
        }
        assertThat(schedule.isRunning()).isFalse();
    }

    @Test
    void aNonPositiveIntervalIsRefused() {
        assertThatThrownBy(() -> new ImageCacheGcSchedule(cache(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gc-interval");
    }
}

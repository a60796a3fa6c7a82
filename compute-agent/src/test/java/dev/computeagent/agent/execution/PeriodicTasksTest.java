package dev.computeagent.agent.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The agent's periodic tasks survive their own failures and do not wait for one another. */
class PeriodicTasksTest {

    @Test
    void aTaskThrowingAnErrorKeepsItsSchedule() {
        ScheduledExecutorService scheduler = BackgroundTasks.daemonScheduler("test-periodic");
        AtomicInteger runs = new AtomicInteger();
        try {
            scheduler.scheduleAtFixedRate(BackgroundTasks.neverDying("flaky", () -> {
                if (runs.incrementAndGet() <= 2) {
                    throw new StackOverflowError("simulated");
                }
            }), 0, 10, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 5);
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aHungTaskOnOneSchedulerDoesNotDelayTheOther() throws Exception {
        ScheduledExecutorService sync = BackgroundTasks.daemonScheduler("test-sync");
        ScheduledExecutorService heartbeat = BackgroundTasks.daemonScheduler("test-heartbeat");
        CountDownLatch hung = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger beats = new AtomicInteger();
        try {
            sync.scheduleWithFixedDelay(BackgroundTasks.neverDying("sync", () -> {
                hung.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }), 0, 10, TimeUnit.MILLISECONDS);
            assertThat(hung.await(5, TimeUnit.SECONDS)).isTrue();
            heartbeat.scheduleAtFixedRate(BackgroundTasks.neverDying("beat", beats::incrementAndGet), 0, 10,
                    TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> beats.get() >= 3);
        } finally {
            release.countDown();
            sync.shutdownNow();
            heartbeat.shutdownNow();
        }
    }
}

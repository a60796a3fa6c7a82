package dev.computeagent.agent.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InstanceLanesTest {

    private InstanceLanes lanes;

    @AfterEach
    void tearDown() {
        if (lanes != null) {
            lanes.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void runsTasksOfOneInstanceOneAtATimeInSubmissionOrder() {
        lanes = new InstanceLanes(4);
        UUID uuid = UUID.randomUUID();
        List<Integer> order = new CopyOnWriteArrayList<>();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
            int n = i;
            lanes.submit(uuid, () -> {
                maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                order.add(n);
                Thread.yield();
                inside.decrementAndGet();
            });
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 50);
        assertThat(order).isSorted();
        assertThat(maxInside.get()).isEqualTo(1);
    }

    @Test
    void aControlTaskRunsBesideTheInstancesBusyLaneEvenWithEveryWorkerTaken() throws InterruptedException {
        lanes = new InstanceLanes(1);
        UUID uuid = UUID.randomUUID();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch controlRan = new CountDownLatch(1);
        lanes.submit(uuid, () -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<String> after = new CopyOnWriteArrayList<>();
        lanes.submit(uuid, () -> after.add("queued command"));

        assertThat(lanes.submitControl(uuid, controlRan::countDown)).isTrue();

        assertThat(controlRan.await(10, TimeUnit.SECONDS)).as("not behind the busy lane").isTrue();
        assertThat(after).isEmpty();
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> after.size() == 1);
    }

    @Test
    void runsDifferentInstancesConcurrentlyUpToTheBound() throws InterruptedException {
        lanes = new InstanceLanes(3);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < 8; i++) {
            lanes.submit(UUID.randomUUID(), () -> {
                maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.decrementAndGet();
                done.incrementAndGet();
            });
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> inside.get() == 3);
        assertThat(lanes.pending()).isEqualTo(8);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 8);
        assertThat(maxInside.get()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> lanes.pending() == 0);
    }

    @Test
    void aFailingTaskDoesNotBlockItsLane() {
        lanes = new InstanceLanes(1);
        UUID uuid = UUID.randomUUID();
        AtomicInteger after = new AtomicInteger();
        lanes.submit(uuid, () -> {
            throw new IllegalStateException("boom");
        });
        lanes.submit(uuid, after::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> after.get() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !lanes.busy(uuid));
    }

    @Test
    void shutdownWaitsForRunningTasksAbandonsQueuedOnesAndRefusesNewOnes() {
        lanes = new InstanceLanes(2);
        UUID uuid = UUID.randomUUID();
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger abandoned = new AtomicInteger();
        lanes.submit(uuid, () -> {
            started.countDown();
            sleepQuietly(300);
            finished.incrementAndGet();
        });
        lanes.submit(uuid, new InstanceLanes.LaneTask() {
            @Override
            public void run() {
                finished.addAndGet(100);
            }

            @Override
            public void abandon() {
                abandoned.incrementAndGet();
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> started.getCount() == 0);
        boolean done = lanes.shutdown(Duration.ofSeconds(5));
        assertThat(done).isTrue();
        assertThat(finished.get()).isEqualTo(1);
        assertThat(abandoned.get()).isEqualTo(1);
        assertThat(lanes.submit(uuid, finished::incrementAndGet)).isFalse();
        lanes = null;
    }

    @Test
    void shutdownReportsTasksThatOverrunTheTimeout() {
        lanes = new InstanceLanes(1);
        CountDownLatch started = new CountDownLatch(1);
        lanes.submit(UUID.randomUUID(), () -> {
            started.countDown();
            sleepQuietly(2_000);
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> started.getCount() == 0);
        assertThat(lanes.shutdown(Duration.ofMillis(100))).isFalse();
        lanes = null;
    }

    // simulates work that takes time; not a wait for a state
    private static void sleepQuietly(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.computeagent.agent.execution;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane per instance: tasks of one instance run one at a time in submission order; tasks of
 * different instances run concurrently on at most {@code maxConcurrent} worker threads.
 *
 * <p>Each instance also has a <em>control lane</em> ({@link #submitControl}) beside its command lane,
 * on threads of its own: what must act on an instance while its command lane is busy (cancelling the
 * migration that occupies it) waits neither for that lane nor for a free worker.
 *
 * <p>A lane exists only while it has work. A task that throws is logged; the lane goes on.
 * After {@link #shutdown} no task is accepted; tasks queued but not started are handed back
 * through their {@link LaneTask#abandon()} so their owner can release them.
 */
public final class InstanceLanes {

    /** Work submitted to a lane. */
    public interface LaneTask {
        void run();

        /** Called instead of {@link #run()} when the lanes shut down before the task started. */
        default void abandon() {
        }
    }

    private static final Logger log = LoggerFactory.getLogger(InstanceLanes.class);

    private final ExecutorService workers;
    private final Map<UUID, Deque<LaneTask>> lanes = new HashMap<>();
    private final ExecutorService controlWorkers;
    private final Map<UUID, Deque<LaneTask>> controlLanes = new HashMap<>();
    private boolean accepting = true;

    public InstanceLanes(int maxConcurrent) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be >= 1");
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "lane-" + n.incrementAndGet());
            t.setDaemon(false);
            return t;
        };
        this.workers = Executors.newFixedThreadPool(maxConcurrent, threads);
        AtomicInteger c = new AtomicInteger();
        this.controlWorkers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "control-lane-" + c.incrementAndGet());
            t.setDaemon(false);
            return t;
        });
    }

    /**
     * Queues {@code task} behind the instance's earlier tasks.
     *
     * @return false when the lanes are shut down (the task was not queued and will not run)
     */
    public boolean submit(UUID instance, LaneTask task) {
        return submit(lanes, workers, instance, task);
    }

    /**
     * Queues {@code task} on the instance's control lane: behind its earlier control tasks, beside (not
     * behind) its command lane.
     *
     * @return false when the lanes are shut down (the task was not queued and will not run)
     */
    public boolean submitControl(UUID instance, LaneTask task) {
        return submit(controlLanes, controlWorkers, instance, task);
    }

    private boolean submit(Map<UUID, Deque<LaneTask>> kind, ExecutorService executor, UUID instance, LaneTask task) {
        synchronized (this) {
            if (!accepting) {
                return false;
            }
            Deque<LaneTask> lane = kind.get(instance);
            if (lane != null) {
                lane.addLast(task);
                return true;
            }
            kind.put(instance, new ArrayDeque<>());
        }
        executor.execute(() -> runLane(kind, executor, instance, task));
        return true;
    }

    /** Whether the instance has a task running or queued. */
    public synchronized boolean busy(UUID instance) {
        return lanes.containsKey(instance);
    }

    /** Tasks running or queued across all lanes. */
    public synchronized int pending() {
        return lanes.values().stream().mapToInt(d -> d.size() + 1).sum();
    }

    private void runLane(Map<UUID, Deque<LaneTask>> kind, ExecutorService executor, UUID instance, LaneTask task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            log.error("task for instance {} failed unexpectedly", instance, e);
        }
        LaneTask next;
        synchronized (this) {
            Deque<LaneTask> lane = kind.get(instance);
            next = lane == null ? null : lane.pollFirst();
            if (next == null) {
                kind.remove(instance);
                notifyAll();
                return;
            }
        }
        LaneTask following = next;
        executor.execute(() -> runLane(kind, executor, instance, following));
    }

    /**
     * Stops accepting tasks, abandons queued ones, and waits up to {@code timeout} for running
     * ones to finish.
     *
     * @return true when every running task finished in time
     */
    public boolean shutdown(Duration timeout) {
        List<LaneTask> abandoned = new ArrayList<>();
        synchronized (this) {
            accepting = false;
            for (Map<UUID, Deque<LaneTask>> kind : List.of(lanes, controlLanes)) {
                kind.values().forEach(lane -> {
                    abandoned.addAll(lane);
                    lane.clear();
                });
            }
        }
        abandoned.forEach(t -> {
            try {
                t.abandon();
            } catch (RuntimeException e) {
                log.warn("abandoning a queued task failed", e);
            }
        });
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!lanes.isEmpty() || !controlLanes.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        boolean done;
        synchronized (this) {
            done = lanes.isEmpty() && controlLanes.isEmpty();
        }
        workers.shutdownNow();
        controlWorkers.shutdownNow();
        return done;
    }
}

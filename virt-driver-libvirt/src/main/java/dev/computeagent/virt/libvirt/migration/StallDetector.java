package dev.computeagent.virt.libvirt.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * Tells when a migration stopped making progress (KubeVirt's progress timeout): progress is any new
 * low of the remaining data or new high of the processed data; stalled means no progress for the
 * whole window. Samples before the job reports any data (setup, disk mirror start) do not count
 * against it. Not thread-safe: one per migration, fed by the monitor thread.
 */
final class StallDetector {

    private final Duration window;
    private long lowestRemaining = Long.MAX_VALUE;
    private long highestProcessed = -1;
    private Duration lastProgress = Duration.ZERO;

    StallDetector(Duration window) {
        this.window = Objects.requireNonNull(window, "window");
    }

    /** Records a sample taken {@code elapsed} after the start; true when the job has stalled. */
    boolean stalled(Duration elapsed, long dataProcessed, long dataRemaining) {
        if (dataProcessed == 0 && dataRemaining == 0) {
            lastProgress = elapsed;
            return false;
        }
        if (dataRemaining < lowestRemaining || dataProcessed > highestProcessed) {
            lowestRemaining = Math.min(lowestRemaining, dataRemaining);
            highestProcessed = Math.max(highestProcessed, dataProcessed);
            lastProgress = elapsed;
            return false;
        }
        return elapsed.minus(lastProgress).compareTo(window) > 0;
    }
}

package dev.computeagent.virt.libvirt.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * Tells when a pre-copy migration stopped converging: no pass over the memory started with less data
 * left than an earlier pass did, for the whole window.
 *
 * <p>Why pass starts: within a pass the remaining data always falls (QEMU counts the dirty pages it has
 * not sent yet, and re-reads the dirty bitmap only when that count got small), so its lows say nothing;
 * what a pass starts with is what the guest dirtied during the previous one. A converging guest starts
 * each pass with less; a busy guest starts each with about its working set. The first pass (iteration 1)
 * always counts as progress; a hypervisor that reports no iteration (0) is never called not converging.
 * Unlike {@link StallDetector} the processed bytes are ignored: they keep growing while a busy guest's
 * pages are sent again and again. Not thread-safe: one per migration, fed by the monitor thread.
 */
final class ConvergenceWatch {

    private final Duration window;
    private long lowestPassStart = Long.MAX_VALUE;
    private long lastIteration = -1;
    private Duration lastProgress = Duration.ZERO;

    ConvergenceWatch(Duration window) {
        this.window = Objects.requireNonNull(window, "window");
    }

    /** Records a sample taken {@code elapsed} after the start; true when it has not converged for the window. */
    boolean notConverging(Duration elapsed, long dataProcessed, long dataRemaining, long memoryIteration) {
        if ((dataProcessed == 0 && dataRemaining == 0) || memoryIteration <= 1) {
            lastProgress = elapsed;
            return false;
        }
        if (memoryIteration != lastIteration) {
            lastIteration = memoryIteration;
            if (dataRemaining < lowestPassStart) {
                lowestPassStart = dataRemaining;
                lastProgress = elapsed;
            }
        }
        return elapsed.minus(lastProgress).compareTo(window) > 0;
    }
}

package dev.computeagent.virt.libvirt.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * Tells when a pre-copy migration stopped converging: the remaining data made no new low for the whole
 * window. Unlike {@link StallDetector} it ignores the processed bytes, which keep growing while a busy
 * guest re-dirties what was already sent: such a job is moving but never finishing. Samples before
 * the job reports any data do not count. Not thread-safe: one per migration, fed by the monitor thread.
 */
final class ConvergenceWatch {

    private final Duration window;
    private long lowestRemaining = Long.MAX_VALUE;
    private Duration lastLow = Duration.ZERO;

    ConvergenceWatch(Duration window) {
        this.window = Objects.requireNonNull(window, "window");
    }

    /** Records a sample taken {@code elapsed} after the start; true when it has not converged for the window. */
    boolean notConverging(Duration elapsed, long dataProcessed, long dataRemaining) {
        if ((dataProcessed == 0 && dataRemaining == 0) || dataRemaining < lowestRemaining) {
            lowestRemaining = dataProcessed == 0 && dataRemaining == 0 ? lowestRemaining : dataRemaining;
            lastLow = elapsed;
            return false;
        }
        return elapsed.minus(lastLow).compareTo(window) > 0;
    }
}

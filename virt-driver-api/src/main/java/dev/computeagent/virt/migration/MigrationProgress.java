package dev.computeagent.virt.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * One sample of a running migration job, as the monitor saw it.
 *
 * @param elapsed         time since the transfer started
 * @param dataTotal       bytes to transfer in total (memory, plus disks when copied), as estimated now
 * @param dataProcessed   bytes transferred so far
 * @param dataRemaining   bytes still to transfer
 * @param memoryIteration how many passes over the guest memory the hypervisor has made (0 if unknown)
 * @param downtimeLimit   the maximum downtime currently allowed
 */
public record MigrationProgress(Duration elapsed, long dataTotal, long dataProcessed, long dataRemaining,
                                long memoryIteration, Duration downtimeLimit) {

    public MigrationProgress {
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(downtimeLimit, "downtimeLimit");
    }

    /** Percentage of the data transferred, 0–100. */
    public int percent() {
        return dataTotal <= 0 ? 0 : (int) Math.min(100, dataProcessed * 100 / dataTotal);
    }
}

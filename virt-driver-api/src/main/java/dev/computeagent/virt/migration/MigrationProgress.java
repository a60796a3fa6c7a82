package dev.computeagent.virt.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * One sample of a running migration job, as the monitor saw it. A figure the hypervisor does not
 * report is 0.
 *
 * @param elapsed            time since the transfer started
 * @param dataTotal          bytes to transfer in total (memory, plus disks when copied), as estimated now
 * @param dataProcessed      bytes transferred so far
 * @param dataRemaining      bytes still to transfer
 * @param memoryIteration    how many passes over the guest memory the hypervisor has made (0 if unknown)
 * @param downtimeLimit      the maximum downtime currently allowed
 * @param phase              what the transfer is doing now
 * @param memory             the guest memory's part of the transfer
 * @param dirtyRateBytesPerSecond how fast the guest dirties its memory, bytes per second
 * @param disk               the copied disks' part of the transfer (zero with shared storage)
 * @param cpuThrottlePercent CPU time taken from the guest by auto-converge, percent
 */
public record MigrationProgress(Duration elapsed, long dataTotal, long dataProcessed, long dataRemaining,
                                long memoryIteration, Duration downtimeLimit, Phase phase, Transfer memory,
                                long dirtyRateBytesPerSecond, Transfer disk, int cpuThrottlePercent) {

    /** What a running migration is doing. */
    public enum Phase {
        /** Nothing transferred yet (connection, destination process start). */
        SETUP,
        /** Copying the disks before the memory. */
        DISK_COPY,
        /** Copying the memory while the guest runs (pre-copy). */
        MEMORY_COPY,
        /** Copying the memory with the guest's CPUs throttled so that it converges. */
        AUTO_CONVERGE,
        /**
         * Post-copy: the guest already runs on the destination, which fetches the pages it lacks from the
         * source; it can no longer be cancelled, and a failure now loses the guest on both sides.
         */
        POST_COPY
    }

    /** One part of the transfer, in bytes. */
    public record Transfer(long total, long processed, long remaining) {
        public static final Transfer NONE = new Transfer(0, 0, 0);
    }

    public MigrationProgress {
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(downtimeLimit, "downtimeLimit");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(disk, "disk");
    }

    /** A sample of the totals only, memory copy assumed (as a driver without a breakdown reports). */
    public MigrationProgress(Duration elapsed, long dataTotal, long dataProcessed, long dataRemaining,
                             long memoryIteration, Duration downtimeLimit) {
        this(elapsed, dataTotal, dataProcessed, dataRemaining, memoryIteration, downtimeLimit, Phase.MEMORY_COPY,
                new Transfer(dataTotal, dataProcessed, dataRemaining), 0, Transfer.NONE, 0);
    }

    /** Percentage of the data transferred, 0–100. */
    public int percent() {
        return dataTotal <= 0 ? 0 : (int) Math.min(100, dataProcessed * 100 / dataTotal);
    }
}

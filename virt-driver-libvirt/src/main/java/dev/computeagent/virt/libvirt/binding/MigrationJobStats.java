package dev.computeagent.virt.libvirt.binding;

/**
 * What {@code virDomainGetJobStats} says about a domain's current (or last completed) job. A field
 * libvirt does not report is 0 (the downtime: -1).
 *
 * @param active               a job is running now
 * @param completed            the stats describe a completed job
 * @param elapsedMs            {@code time_elapsed}
 * @param dataTotal            {@code data_total}, bytes
 * @param dataProcessed        {@code data_processed}, bytes
 * @param dataRemaining        {@code data_remaining}, bytes
 * @param memoryIteration      {@code memory_iteration}
 * @param downtimeMs           {@code downtime} (a completed job's real downtime), -1 when not reported
 * @param memory               {@code memory_total}, {@code memory_processed}, {@code memory_remaining}
 * @param memoryDirtyRate      {@code memory_dirty_rate} × {@code memory_page_size}: bytes the guest dirties
 *                             per second (libvirt counts pages)
 * @param disk                 {@code disk_total}, {@code disk_processed}, {@code disk_remaining} (copied disks)
 * @param autoConvergeThrottle {@code auto_converge_throttle}: percent of CPU time taken from the guest
 */
public record MigrationJobStats(boolean active, boolean completed, long elapsedMs, long dataTotal,
                                long dataProcessed, long dataRemaining, long memoryIteration, long downtimeMs,
                                Bytes memory, long memoryDirtyRate, Bytes disk, int autoConvergeThrottle) {

    /** A job seen through the totals only (memory and disk not broken down). */
    public MigrationJobStats(boolean active, boolean completed, long elapsedMs, long dataTotal, long dataProcessed,
                             long dataRemaining, long memoryIteration, long downtimeMs) {
        this(active, completed, elapsedMs, dataTotal, dataProcessed, dataRemaining, memoryIteration, downtimeMs,
                Bytes.NONE, 0, Bytes.NONE, 0);
    }

    /** One part of the transfer, in bytes. */
    public record Bytes(long total, long processed, long remaining) {
        public static final Bytes NONE = new Bytes(0, 0, 0);
    }
}

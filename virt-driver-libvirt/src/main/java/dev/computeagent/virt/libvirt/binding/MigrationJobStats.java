package dev.computeagent.virt.libvirt.binding;

/**
 * What {@code virDomainGetJobStats} says about a domain's current (or last completed) job.
 *
 * @param active          a job is running now
 * @param completed       the stats describe a completed job
 * @param elapsedMs       {@code time_elapsed}
 * @param dataTotal       {@code data_total}, bytes
 * @param dataProcessed   {@code data_processed}, bytes
 * @param dataRemaining   {@code data_remaining}, bytes
 * @param memoryIteration {@code memory_iteration}
 * @param downtimeMs      {@code downtime} (a completed job's real downtime), -1 when not reported
 */
public record MigrationJobStats(boolean active, boolean completed, long elapsedMs, long dataTotal,
                                long dataProcessed, long dataRemaining, long memoryIteration, long downtimeMs) {
}

package dev.computeagent.virt.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * The statistics of the last incoming migration of an instance, as the destination's hypervisor
 * recorded them when the job completed.
 *
 * @param jobTime       duration of the hypervisor's migration job
 * @param downtime      how long the guest was paused at switch-over
 * @param dataProcessed bytes transferred
 */
public record CompletedMigration(Duration jobTime, Duration downtime, long dataProcessed) {

    public CompletedMigration {
        Objects.requireNonNull(jobTime, "jobTime");
        Objects.requireNonNull(downtime, "downtime");
    }
}

package dev.computeagent.virt.migration;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A completed live migration, seen from the source.
 *
 * @param wallTime         from the call to its return, monitor included
 * @param bytesTransferred bytes sent according to the last sample (0 when the job ended before the
 *                         first sample); the destination's {@link CompletedMigration} has the exact figure
 * @param finalDowntimeLimit the maximum downtime allowed when the job completed
 * @param samples          how many samples the monitor took
 * @param postCopy         the transfer was switched to post-copy and completed that way
 * @param downtime         how long the guest was paused at the switch-over, as the hypervisor measured it
 *                         (libvirt: the completed job's {@code downtime}); null when it did not say
 */
public record MigrationResult(Duration wallTime, long bytesTransferred, Duration finalDowntimeLimit, int samples,
                              boolean postCopy, @Nullable Duration downtime) {

    public MigrationResult {
        Objects.requireNonNull(wallTime, "wallTime");
        Objects.requireNonNull(finalDowntimeLimit, "finalDowntimeLimit");
    }

    public MigrationResult(Duration wallTime, long bytesTransferred, Duration finalDowntimeLimit, int samples,
                           boolean postCopy) {
        this(wallTime, bytesTransferred, finalDowntimeLimit, samples, postCopy, null);
    }

    /** This result with the hypervisor's measured downtime. */
    public MigrationResult withDowntime(@Nullable Duration measured) {
        return new MigrationResult(wallTime, bytesTransferred, finalDowntimeLimit, samples, postCopy, measured);
    }

    /** A migration that completed in pre-copy. */
    public MigrationResult(Duration wallTime, long bytesTransferred, Duration finalDowntimeLimit, int samples) {
        this(wallTime, bytesTransferred, finalDowntimeLimit, samples, false);
    }
}

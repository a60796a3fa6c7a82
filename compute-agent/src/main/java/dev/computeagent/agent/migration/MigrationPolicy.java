package dev.computeagent.agent.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * This host's standing rules for the migrations it drives as the source (configuration, not per
 * command; Nova's {@code live_migration_bandwidth}, {@code live_migration_permit_auto_converge} and
 * {@code live_migration_permit_post_copy}). The escalation order for a guest that does not converge:
 * the allowed downtime rises in steps (always), auto-converge throttles it (when permitted: libvirt cannot
 * switch it on during a job, so such a job starts with it and QEMU throttles only once the guest outruns
 * the link), post-copy (when permitted, after {@code postCopyAfter} without convergence), and only when
 * nothing more is permitted the completion timeout or a stall aborts it.
 *
 * @param bandwidthMibPerSecond the most a transfer (memory and copied disks) may use, MiB/s; 0 = no limit
 * @param autoConverge          let the hypervisor throttle a guest that dirties memory faster than it is sent
 * @param allowUnsafe           let the hypervisor migrate shared disks it does not itself recognise as shared
 * @param permitPostCopy        let a live migration that does not converge switch to post-copy
 * @param postCopyAfter         how long no pass over the memory may start with less left than an earlier one before that switch
 */
public record MigrationPolicy(long bandwidthMibPerSecond, boolean autoConverge, boolean allowUnsafe,
                              boolean permitPostCopy, Duration postCopyAfter) {

    /** Nova switches after a few memory passes; a minute without a pass starting with less left is well past that on a busy guest. */
    public static final Duration DEFAULT_POST_COPY_AFTER = Duration.ofSeconds(60);
    /** No bandwidth limit, no auto-converge, no unsafe migrations, no post-copy. */
    public static final MigrationPolicy DEFAULTS = new MigrationPolicy(0, false, false);

    public MigrationPolicy {
        if (bandwidthMibPerSecond < 0) {
            throw new IllegalArgumentException("migration bandwidth must not be negative: " + bandwidthMibPerSecond);
        }
        Objects.requireNonNull(postCopyAfter, "postCopyAfter");
        if (postCopyAfter.isNegative() || postCopyAfter.isZero()) {
            throw new IllegalArgumentException("the post-copy delay must be positive: " + postCopyAfter);
        }
    }

    /** Without post-copy. */
    public MigrationPolicy(long bandwidthMibPerSecond, boolean autoConverge, boolean allowUnsafe) {
        this(bandwidthMibPerSecond, autoConverge, allowUnsafe, false, DEFAULT_POST_COPY_AFTER);
    }
}

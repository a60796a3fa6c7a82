package dev.computeagent.agent.migration;

/**
 * This host's standing rules for the migrations it drives as the source (configuration, not per
 * command; Nova's {@code live_migration_bandwidth} and {@code live_migration_permit_auto_converge}).
 *
 * @param bandwidthMibPerSecond the most a transfer (memory and copied disks) may use, MiB/s; 0 = no limit
 * @param autoConverge          let the hypervisor throttle a guest that dirties memory faster than it is sent
 * @param allowUnsafe           let the hypervisor migrate shared disks it does not itself recognise as shared
 */
public record MigrationPolicy(long bandwidthMibPerSecond, boolean autoConverge, boolean allowUnsafe) {

    /** No bandwidth limit, no auto-converge, no unsafe migrations. */
    public static final MigrationPolicy DEFAULTS = new MigrationPolicy(0, false, false);

    public MigrationPolicy {
        if (bandwidthMibPerSecond < 0) {
            throw new IllegalArgumentException("migration bandwidth must not be negative: " + bandwidthMibPerSecond);
        }
    }
}

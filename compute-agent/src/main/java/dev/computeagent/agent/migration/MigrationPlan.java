package dev.computeagent.agent.migration;

import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.virt.migration.MigrationRequest;
import dev.computeagent.virt.migration.StorageMode;
import java.time.Duration;
import java.util.Set;

/**
 * What a {@code migrate} command means once the storage situation is known (Nova's
 * {@code check_can_live_migrate_*} decisions): live with shared storage, live with the overlay
 * copied (block migration), or cold. Refuses, before anything is touched, the combinations that
 * cannot work: copying onto a disk both hosts share would overwrite it while it is in use, and
 * moving without copying between hosts that do not share the disk would lose it.
 */
public sealed interface MigrationPlan {

    /** What the source's driver is asked to do. */
    MigrationRequest request();

    /** Whether the destination needs its own empty overlay over the same base before the move. */
    default boolean destinationNeedsOverlay() {
        return request().storage() == StorageMode.BLOCK_INCREMENTAL;
    }

    /**
     * A live migration.
     *
     * @param request what the source's driver is asked to do
     */
    record Live(MigrationRequest request) implements MigrationPlan {
    }

    /**
     * A cold migration: stop, move the definition (shared storage) or the stopped instance with its
     * overlay copied ({@link StorageMode#BLOCK_INCREMENTAL}), start there when it was running.
     *
     * @param request what the source's driver is asked to do when the overlay is copied
     */
    record Cold(MigrationRequest request) implements MigrationPlan {
    }

    /**
     * Decides the plan.
     *
     * @param args                    the command's arguments (already validated)
     * @param sharedStorage           whether the instance directory was detected as shared with the
     *                                destination ({@link dev.computeagent.virt.migration.SharedStorageProbe})
     * @param destinationMigrationUri the destination's {@code agent.libvirt.migration-uri}
     * @param policy                  this host's bandwidth limit, auto-converge, post-copy and unsafe rules ({@code
     *                                allowUnsafe} only ever applies to shared storage)
     * @throws CommandFailedException {@link ErrorCode#MIGRATION_FAILED}, not retriable, for a combination
     *                                that cannot work
     */
    static MigrationPlan decide(MigrateArgs args, boolean sharedStorage, String destinationMigrationUri,
                                MigrationPolicy policy) {
        return decide(args, sharedStorage, destinationMigrationUri, policy, Set.of());
    }

    /**
     * As {@link #decide(MigrateArgs, boolean, String, MigrationPolicy)}, for an instance with shared volumes on
     * {@code volumeDevices}: they are never copied ({@link MigrationRequest#keptDisks}), and {@code allowUnsafe}
     * applies to them as to shared storage (they are shared storage the hypervisor may not recognise as such).
     */
    static MigrationPlan decide(MigrateArgs args, boolean sharedStorage, String destinationMigrationUri,
                                MigrationPolicy policy, Set<String> volumeDevices) {
        Boolean block = args.blockMigration();
        if (Boolean.TRUE.equals(block) && sharedStorage) {
            throw refused("block_migration=true, but the destination shares the instance's storage: copying the "
                    + "disk onto itself would destroy it");
        }
        if (Boolean.FALSE.equals(block) && !sharedStorage) {
            throw refused("block_migration=false, but the destination does not share the instance's storage");
        }
        boolean copy = !sharedStorage;
        MigrationRequest.Builder request = MigrationRequest.to(destinationMigrationUri)
                .storage(copy ? StorageMode.BLOCK_INCREMENTAL : StorageMode.SHARED)
                .maxDowntime(Duration.ofMillis(args.maxDowntimeOrDefault()))
                .unsafe((sharedStorage || !volumeDevices.isEmpty()) && policy.allowUnsafe())
                .keepDisks(volumeDevices)
                .autoConverge(policy.autoConverge())
                .bandwidthMibPerSecond(policy.bandwidthMibPerSecond())
                .postCopyAfter(policy.permitPostCopy() ? policy.postCopyAfter() : null);
        if (args.completionTimeoutS() != null) {
            request.completionTimeout(Duration.ofSeconds(args.completionTimeoutS()));
        }
        return args.liveOrDefault() ? new Live(request.build()) : new Cold(request.build());
    }

    private static CommandFailedException refused(String message) {
        return new CommandFailedException(ErrorCode.MIGRATION_FAILED, message, false);
    }
}

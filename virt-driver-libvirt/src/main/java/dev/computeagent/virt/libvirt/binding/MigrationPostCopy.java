package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import org.libvirt.Domain;

/**
 * {@code virDomainMigrateStartPostCopy}, which libvirt-java does not map ({@link UnmappedCalls}). Only valid
 * while a migration started with {@code VIR_MIGRATE_POSTCOPY} runs; from the call on the guest runs on the
 * destination.
 */
final class MigrationPostCopy {

    private MigrationPostCopy() {
    }

    /**
     * Switches the running migration of {@code domain} to post-copy.
     *
     * @throws MigrationException ({@link Step#MONITOR}) the call is not available or libvirt refused it
     *                            (no post-copy capable job running, or it already ended); the migration
     *                            itself goes on unchanged
     */
    static void start(Domain domain, String name) {
        int rc;
        try {
            rc = UnmappedCalls.libvirt().virDomainMigrateStartPostCopy(UnmappedCalls.pointer(domain), 0);
        } catch (RuntimeException e) {
            throw new MigrationException(Step.MONITOR, Reason.FAILED, "cannot start post-copy of " + name + ": "
                    + e.getMessage(), e);
        }
        if (rc < 0) {
            throw new MigrationException(Step.MONITOR, Reason.FAILED, "start post-copy of " + name + ": "
                    + UnmappedCalls.lastError(), null);
        }
    }
}

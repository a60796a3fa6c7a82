package dev.computeagent.virt.migration;

/**
 * Receives the monitor's samples of a running migration, on the migrating thread. Must not block;
 * an exception thrown here is logged and ignored (it never aborts the migration).
 */
@FunctionalInterface
public interface MigrationListener {

    /** Ignores every sample. */
    MigrationListener NONE = progress -> { };

    void onProgress(MigrationProgress progress);
}

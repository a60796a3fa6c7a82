package dev.computeagent.virt.libvirt.binding;

import java.util.List;

/**
 * What a peer-to-peer migration asks of libvirt; turned into {@code VIR_MIGRATE_*} flags and parameters by
 * {@link MigrationDomain} (always {@code PEER2PEER | PERSIST_DEST | UNDEFINE_SOURCE}).
 *
 * @param live                   {@code LIVE}: the guest keeps running during the transfer; otherwise it
 *                               is moved paused and stays paused on the destination ({@code PAUSED})
 * @param copyStorageIncremental {@code NON_SHARED_INC}: mirror the disks' top layer to the destination
 * @param autoConverge           {@code AUTO_CONVERGE}
 * @param unsafe                 {@code UNSAFE}: skip libvirt's disk-cache safety check
 * @param bandwidthMibPerSecond  {@code VIR_MIGRATE_PARAM_BANDWIDTH} (memory and disk copy), 0 = no limit
 * @param migrateDisks           {@code VIR_MIGRATE_PARAM_MIGRATE_DISKS}: with {@code copyStorageIncremental}, the
 *                               target devices of the only disks to copy; empty = libvirt's default (every
 *                               writable disk)
 * @param postCopy               {@code POSTCOPY}: the job may be switched to post-copy
 *                               ({@link MigrationDomain#startPostCopy()}); it starts as pre-copy either way
 */
public record MigrationFlags(boolean live, boolean copyStorageIncremental, boolean autoConverge, boolean unsafe,
                             long bandwidthMibPerSecond, List<String> migrateDisks, boolean postCopy) {

    public MigrationFlags {
        migrateDisks = List.copyOf(migrateDisks);
    }

    /** Flags that copy (when {@code copyStorageIncremental}) every writable disk, without post-copy. */
    public MigrationFlags(boolean live, boolean copyStorageIncremental, boolean autoConverge, boolean unsafe,
                          long bandwidthMibPerSecond) {
        this(live, copyStorageIncremental, autoConverge, unsafe, bandwidthMibPerSecond, List.of(), false);
    }
}

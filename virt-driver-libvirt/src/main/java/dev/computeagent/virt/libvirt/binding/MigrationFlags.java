package dev.computeagent.virt.libvirt.binding;

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
 * @param postCopy               {@code POSTCOPY}: the job may be switched to post-copy
 *                               ({@link MigrationDomain#startPostCopy()}); it starts as pre-copy either way
 */
public record MigrationFlags(boolean live, boolean copyStorageIncremental, boolean autoConverge, boolean unsafe,
                             long bandwidthMibPerSecond, boolean postCopy) {

    /** Without post-copy. */
    public MigrationFlags(boolean live, boolean copyStorageIncremental, boolean autoConverge, boolean unsafe,
                          long bandwidthMibPerSecond) {
        this(live, copyStorageIncremental, autoConverge, unsafe, bandwidthMibPerSecond, false);
    }
}

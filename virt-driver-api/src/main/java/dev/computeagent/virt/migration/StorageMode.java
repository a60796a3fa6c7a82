package dev.computeagent.virt.migration;

/** How a live migration treats the instance's disks. */
public enum StorageMode {
    /** Both hosts see the same disk files; only memory and device state move. */
    SHARED,
    /**
     * The destination holds an empty overlay over the same base image at the same path (prepared by
     * the caller); the source's overlay is copied into it while the guest runs (libvirt
     * {@code NON_SHARED_INC}, what Nova calls block migration).
     */
    BLOCK_INCREMENTAL
}

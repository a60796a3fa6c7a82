package dev.computeagent.virt.migration;

/**
 * On the destination: where an incoming live migration of an instance stands, as the hypervisor tells it
 * ({@link MigrationDriver#incomingState}). Only a post-copy migration can be seen {@link #IN_PROGRESS} with
 * the guest running here: from the switch on, the guest runs on the destination while its remaining pages
 * still stream from the source.
 */
public enum IncomingState {
    /** Still arriving: pre-copy (not running yet) or post-copy (running, pages still on the source). */
    IN_PROGRESS,
    /** Arrived: every page is here; the guest is wherever its power state says (running, normally). */
    ARRIVED,
    /**
     * The post-copy phase failed: pages the guest needs never came (the source's QEMU or the link died);
     * the hypervisor keeps it paused, and it must never be resumed: its memory is incomplete.
     */
    POST_COPY_FAILED
}

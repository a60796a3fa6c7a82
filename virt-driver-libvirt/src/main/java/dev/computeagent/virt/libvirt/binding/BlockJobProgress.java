package dev.computeagent.virt.libvirt.binding;

/**
 * A block job's progress as libvirt reports it ({@code virDomainBlockJobInfo}).
 *
 * @param cur bytes done
 * @param end bytes to do (grows while the guest writes)
 */
public record BlockJobProgress(long cur, long end) {

    /** A copy job has caught up with its source and now mirrors it. */
    public boolean caughtUp() {
        return end > 0 && cur == end;
    }
}

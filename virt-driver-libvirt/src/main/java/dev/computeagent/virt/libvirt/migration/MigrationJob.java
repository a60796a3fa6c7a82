package dev.computeagent.virt.libvirt.migration;

import dev.computeagent.virt.libvirt.binding.MigrationJobStats;
import java.time.Duration;

/** The controls the monitor needs over a running migration job (a seam for testing the monitor). */
interface MigrationJob {

    /** The current job; may throw a {@link dev.computeagent.virt.DriverException} once the domain left. */
    MigrationJobStats sample();

    void setMaxDowntime(Duration downtime);

    /** Asks the hypervisor to abort the job; the transfer then fails and the guest stays. */
    void abort();

    /**
     * Switches the job (started post-copy capable) to post-copy: the guest resumes on the destination.
     * Throws a {@link dev.computeagent.virt.DriverException} when the hypervisor refuses; the job is then unchanged.
     */
    void startPostCopy();

    /**
     * Whether this host's QEMU still runs the guest (a state read, which needs no job: it answers while the
     * transfer call is stuck). May throw a {@link dev.computeagent.virt.DriverException} (domain gone, connection
     * lost).
     */
    boolean sourceRunning();
}

package dev.computeagent.virt.libvirt.binding;

import com.sun.jna.ptr.IntByReference;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.migration.IncomingState;
import org.libvirt.Domain;

/**
 * {@code virDomainGetState} with its reason, which libvirt-java does not map ({@link UnmappedCalls}): the reason
 * is what tells a guest running in post-copy, or paused or running after a failed post-copy, from one that
 * simply runs.
 */
final class DomainStateReason {

    private static final int RUNNING = 1;
    private static final int PAUSED = 3;
    /** {@code VIR_DOMAIN_RUNNING_POSTCOPY}: the guest runs here while pages still come from the source. */
    private static final int RUNNING_POSTCOPY = 10;
    /** {@code VIR_DOMAIN_RUNNING_POSTCOPY_FAILED} (libvirt 8.5): running on, its migration broken. */
    private static final int RUNNING_POSTCOPY_FAILED = 11;
    /** {@code VIR_DOMAIN_PAUSED_MIGRATION}: an incoming pre-copy migration, not running yet. */
    private static final int PAUSED_MIGRATION = 2;
    /** {@code VIR_DOMAIN_PAUSED_POSTCOPY}. */
    private static final int PAUSED_POSTCOPY = 12;
    /** {@code VIR_DOMAIN_PAUSED_POSTCOPY_FAILED}. */
    private static final int PAUSED_POSTCOPY_FAILED = 13;

    private DomainStateReason() {
    }

    /**
     * Where the incoming migration of {@code domain} stands, from its state and reason.
     *
     * @throws HypervisorException the call is not available or libvirt failed (the domain is gone, the connection lost)
     */
    static IncomingState incoming(Domain domain, String name) {
        IntByReference state = new IntByReference();
        IntByReference reason = new IntByReference();
        int rc;
        try {
            rc = UnmappedCalls.libvirt().virDomainGetState(UnmappedCalls.pointer(domain), state, reason, 0);
        } catch (RuntimeException e) {
            throw new HypervisorException("cannot read the state of " + name + ": " + e.getMessage(), e);
        }
        if (rc < 0) {
            throw new HypervisorException("cannot read the state of " + name + ": " + UnmappedCalls.lastError());
        }
        return incoming(state.getValue(), reason.getValue());
    }

    static IncomingState incoming(int state, int reason) {
        if ((state == PAUSED && reason == PAUSED_POSTCOPY_FAILED)
                || (state == RUNNING && reason == RUNNING_POSTCOPY_FAILED)) {
            return IncomingState.POST_COPY_FAILED;
        }
        if ((state == RUNNING && reason == RUNNING_POSTCOPY)
                || (state == PAUSED && (reason == PAUSED_POSTCOPY || reason == PAUSED_MIGRATION))) {
            return IncomingState.IN_PROGRESS;
        }
        return IncomingState.ARRIVED;
    }
}

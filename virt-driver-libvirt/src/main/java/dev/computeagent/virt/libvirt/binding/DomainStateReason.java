package dev.computeagent.virt.libvirt.binding;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.migration.IncomingState;
import java.lang.reflect.Field;
import org.jspecify.annotations.Nullable;
import org.libvirt.Domain;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.virError;

/**
 * {@code virDomainGetState} with its reason, which libvirt-java does not map (loaded as
 * {@link MigrationPostCopy} loads its call): the reason is what tells a guest running in post-copy, or
 * paused or running after a failed post-copy, from one that simply runs.
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

    private interface Libvirt extends Library {
        int virDomainGetState(DomainPointer domain, IntByReference state, IntByReference reason, int flags);
    }

    private static final @Nullable Libvirt LIBVIRT;
    private static final @Nullable Field POINTER;
    private static final @Nullable String UNAVAILABLE;

    static {
        Libvirt libvirt = null;
        Field pointer = null;
        String why = null;
        try {
            libvirt = Native.load("virt", Libvirt.class);
            pointer = Domain.class.getDeclaredField("vdp");
            pointer.setAccessible(true);
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            why = e.toString();
        }
        LIBVIRT = libvirt;
        POINTER = pointer;
        UNAVAILABLE = why;
    }

    private DomainStateReason() {
    }

    /**
     * Where the incoming migration of {@code domain} stands, from its state and reason.
     *
     * @throws HypervisorException the call is not available or libvirt failed (the domain is gone, the connection lost)
     */
    static IncomingState incoming(Domain domain, String name) {
        if (LIBVIRT == null || POINTER == null) {
            throw new HypervisorException("cannot read the state of " + name + ": virDomainGetState is not available: "
                    + UNAVAILABLE);
        }
        IntByReference state = new IntByReference();
        IntByReference reason = new IntByReference();
        int rc;
        try {
            rc = LIBVIRT.virDomainGetState((DomainPointer) POINTER.get(domain), state, reason, 0);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new HypervisorException("cannot read the state of " + name + ": " + e, e);
        }
        if (rc < 0) {
            // libvirt keeps the error per thread: this thread's last one is this call's
            virError error = org.libvirt.jna.Libvirt.INSTANCE.virGetLastError();
            throw new HypervisorException("cannot read the state of " + name + ": "
                    + (error == null ? "no error reported" : error.message));
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

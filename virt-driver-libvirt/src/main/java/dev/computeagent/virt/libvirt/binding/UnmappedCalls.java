package dev.computeagent.virt.libvirt.binding;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.lang.reflect.Field;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.virError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libvirt calls libvirt-java does not map, loaded through JNA from the library libvirt-java itself loads,
 * and the native pointers of its {@link Connect} and {@link Domain} (package-private there) that they take: the
 * one place that reaches past libvirt-java. When the library or a pointer field cannot be reached (another
 * libvirt-java), {@link #unavailable()} says why and the callers fall back as each documents (poll instead of
 * events, no downtime, no guest agent time limit, a typed failure).
 */
final class UnmappedCalls {

    private static final Logger log = LoggerFactory.getLogger(UnmappedCalls.class);

    /** The calls; JNA binds each on its first use (a libvirt without one fails that call only). */
    interface Libvirt extends Library {
        int virDomainAgentSetResponseTimeout(DomainPointer domain, int seconds, int flags);

        int virDomainMigrateStartPostCopy(DomainPointer domain, int flags);

        int virDomainGetState(DomainPointer domain, IntByReference state, IntByReference reason, int flags);

        int virConnectDomainEventRegisterAny(ConnectionPointer connection, DomainPointer domain, int eventId,
                                             Callback callback, @Nullable Pointer opaque,
                                             @Nullable Pointer free);

        int virConnectDomainEventDeregisterAny(ConnectionPointer connection, int callbackId);
    }

    private static final @Nullable Libvirt LIBVIRT;
    private static final @Nullable Field CONNECTION_POINTER;
    private static final @Nullable Field DOMAIN_POINTER;
    private static final @Nullable String UNAVAILABLE;

    static {
        Libvirt libvirt = null;
        Field connection = null;
        Field domain = null;
        String why = null;
        try {
            libvirt = Native.load("virt", Libvirt.class);
            connection = Connect.class.getDeclaredField("vcp");
            connection.setAccessible(true);
            domain = Domain.class.getDeclaredField("vdp");
            domain.setAccessible(true);
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            why = e.toString();
        }
        boolean complete = libvirt != null && connection != null && domain != null;
        LIBVIRT = complete ? libvirt : null;
        CONNECTION_POINTER = complete ? connection : null;
        DOMAIN_POINTER = complete ? domain : null;
        UNAVAILABLE = complete ? null : why;
        if (!complete) {
            log.warn("libvirt calls libvirt-java does not map are unavailable ({}): detaches poll instead of waiting "
                    + "for device-removed events, migrations report no downtime, guest agent answers are not "
                    + "time-limited, post-copy cannot be started", why);
        }
    }

    private UnmappedCalls() {
    }

    /** Why the calls cannot be made here; empty when they can. */
    static Optional<String> unavailable() {
        return Optional.ofNullable(UNAVAILABLE);
    }

    /**
     * The calls.
     *
     * @throws IllegalStateException they cannot be made here ({@link #unavailable()} says why)
     */
    static Libvirt libvirt() {
        if (LIBVIRT == null) {
            throw new IllegalStateException("libvirt calls past libvirt-java are unavailable: " + UNAVAILABLE);
        }
        return LIBVIRT;
    }

    /** @throws IllegalStateException as {@link #libvirt()} */
    static DomainPointer pointer(Domain domain) {
        return (DomainPointer) read(DOMAIN_POINTER, domain);
    }

    /** @throws IllegalStateException as {@link #libvirt()} */
    static ConnectionPointer pointer(Connect connect) {
        return (ConnectionPointer) read(CONNECTION_POINTER, connect);
    }

    /** libvirt's last error of this thread (libvirt keeps it per thread: the last failed call's). */
    static String lastError() {
        virError error = org.libvirt.jna.Libvirt.INSTANCE.virGetLastError();
        return error == null ? "no error reported" : error.message;
    }

    private static Object read(@Nullable Field field, Object owner) {
        libvirt();
        try {
            return field.get(owner);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("libvirt-java's native pointer cannot be read: " + e, e);
        }
    }
}

package dev.computeagent.virt.libvirt.binding;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.libvirt.Domain;
import org.libvirt.jna.DomainPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code virDomainAgentSetResponseTimeout}, which libvirt-java does not map. By default libvirt waits for
 * a guest agent's answer forever (only its {@code guest-sync} is bounded, at 5 s): a guest whose agent
 * synced and then stalls would hold the caller, and the domain's agent job, indefinitely. Best effort:
 * where the call cannot be made (another libvirt-java without the domain pointer field), it says so
 * once and the wait stays libvirt's.
 */
final class GuestAgentTimeout {

    private static final Logger log = LoggerFactory.getLogger(GuestAgentTimeout.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** The one function; the library is the one libvirt-java loads. */
    private interface Libvirt extends Library {
        int virDomainAgentSetResponseTimeout(DomainPointer domain, int seconds, int flags);
    }

    private static final @Nullable Libvirt LIBVIRT;
    /** libvirt-java keeps the native pointer package-private. */
    private static final @Nullable Field POINTER;

    static {
        Libvirt libvirt = null;
        Field pointer = null;
        try {
            libvirt = Native.load("virt", Libvirt.class);
            pointer = Domain.class.getDeclaredField("vdp");
            pointer.setAccessible(true);
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            log.warn("guest agent answers cannot be time-limited (libvirt waits for them forever): {}", e.toString());
            WARNED.set(true);
        }
        LIBVIRT = libvirt;
        POINTER = pointer;
    }

    private GuestAgentTimeout() {
    }

    /** Limits how long libvirt waits for the answers of {@code domain}'s guest agent; false when it could not. */
    static boolean limit(Domain domain, Duration timeout) {
        if (LIBVIRT == null || POINTER == null) {
            return false;
        }
        try {
            int rc = LIBVIRT.virDomainAgentSetResponseTimeout((DomainPointer) POINTER.get(domain),
                    (int) Math.max(1, timeout.toSeconds()), 0);
            return rc == 0;
        } catch (IllegalAccessException | RuntimeException e) {
            if (WARNED.compareAndSet(false, true)) {
                log.warn("guest agent answers cannot be time-limited (libvirt waits for them forever): {}",
                        e.toString());
            }
            return false;
        }
    }
}

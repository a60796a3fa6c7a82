package dev.computeagent.virt.libvirt.binding;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.libvirt.Domain;
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

    private GuestAgentTimeout() {
    }

    /** Limits how long libvirt waits for the answers of {@code domain}'s guest agent; false when it could not. */
    static boolean limit(Domain domain, Duration timeout) {
        try {
            return UnmappedCalls.libvirt().virDomainAgentSetResponseTimeout(UnmappedCalls.pointer(domain),
                    (int) Math.max(1, timeout.toSeconds()), 0) == 0;
        } catch (RuntimeException e) {
            if (WARNED.compareAndSet(false, true)) {
                log.warn("guest agent answers cannot be time-limited (libvirt waits for them forever): {}",
                        e.toString());
            }
            return false;
        }
    }
}

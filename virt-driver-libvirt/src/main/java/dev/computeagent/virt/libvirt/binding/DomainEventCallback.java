package dev.computeagent.virt.libvirt.binding;

import com.sun.jna.Callback;
import org.jspecify.annotations.Nullable;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.jna.ConnectionPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One callback of one domain's events of a kind libvirt-java does not map
 * ({@code virConnectDomainEventRegisterAny}), registered until {@link #close()}. It holds the callback strongly:
 * JNA would otherwise collect it while libvirt still points at it. When it cannot be registered (see
 * {@link UnmappedCalls#unavailable()}, or libvirt refused) {@link #registered()} is false and the owner falls back.
 */
final class DomainEventCallback implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DomainEventCallback.class);

    private final @Nullable Callback callback;
    private final @Nullable ConnectionPointer connection;
    private final int callbackId;

    private DomainEventCallback(@Nullable Callback callback, @Nullable ConnectionPointer connection, int callbackId) {
        this.callback = callback;
        this.connection = connection;
        this.callbackId = callbackId;
    }

    /** Registers {@code callback} for the events {@code eventId} of {@code domain}; never throws. */
    static DomainEventCallback register(Connect connect, Domain domain, int eventId, Callback callback, String what) {
        try {
            ConnectionPointer pointer = UnmappedCalls.pointer(connect);
            int id = UnmappedCalls.libvirt().virConnectDomainEventRegisterAny(pointer, UnmappedCalls.pointer(domain),
                    eventId, callback, null, null);
            if (id >= 0) {
                return new DomainEventCallback(callback, pointer, id);
            }
            log.debug("cannot register {} events: {}", what, UnmappedCalls.lastError());
        } catch (RuntimeException e) {
            log.debug("cannot register {} events", what, e);
        }
        return new DomainEventCallback(null, null, -1);
    }

    boolean registered() {
        return callbackId >= 0;
    }

    @Override
    public void close() {
        if (connection != null && callback != null
                && UnmappedCalls.libvirt().virConnectDomainEventDeregisterAny(connection, callbackId) < 0) {
            log.debug("cannot deregister event callback {}: {}", callbackId, UnmappedCalls.lastError());
        }
    }
}

package dev.computeagent.virt.libvirt.binding;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.DomainPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's device-removed events of one domain ({@code VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED}, which
 * libvirt-java does not map), while a detach waits for its guest to release a device. The event only
 * wakes the waiter, who then looks at the domain's definition: what counts is that the device is gone.
 * Where the callback cannot be registered the waiter wakes every {@link #POLL} instead. {@link #close()}
 * deregisters it.
 */
public final class DeviceRemovals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeviceRemovals.class);
    private static final int EVENT_ID_DEVICE_REMOVED = 15;
    /** How often a waiter without events looks again. */
    static final Duration POLL = Duration.ofMillis(250);

    /** {@code virConnectDomainEventDeviceRemovedCallback}. */
    public interface DeviceRemovedCallback extends Callback {
        void invoke(Pointer connection, Pointer domain, String deviceAlias, Pointer opaque);
    }

    private interface Events extends Library {
        int virConnectDomainEventRegisterAny(ConnectionPointer connection, DomainPointer domain, int eventId,
                                             DeviceRemovedCallback callback, @Nullable Pointer opaque,
                                             @Nullable Pointer free);

        int virConnectDomainEventDeregisterAny(ConnectionPointer connection, int callbackId);
    }

    private static final @Nullable Events EVENTS;
    private static final @Nullable Field CONNECTION_POINTER;
    private static final @Nullable Field DOMAIN_POINTER;

    static {
        Events events = null;
        Field connection = null;
        Field domain = null;
        try {
            events = Native.load("virt", Events.class);
            connection = Connect.class.getDeclaredField("vcp");
            connection.setAccessible(true);
            domain = Domain.class.getDeclaredField("vdp");
            domain.setAccessible(true);
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            log.warn("device-removed events unavailable, detaches poll the definition instead: {}", e.toString());
        }
        EVENTS = events;
        CONNECTION_POINTER = connection;
        DOMAIN_POINTER = domain;
    }

    private final Semaphore removals = new Semaphore(0);
    /** Held strongly while registered: JNA would otherwise collect it while libvirt still points at it. */
    private final DeviceRemovedCallback callback = (connection, domain, alias, opaque) -> removals.release();
    private @Nullable ConnectionPointer connection;
    private int callbackId = -1;

    private DeviceRemovals() {
    }

    /** Starts listening for removals from {@code domain}; before the detach request, so none is missed. */
    static DeviceRemovals watch(Connect connect, Domain domain) {
        DeviceRemovals removals = new DeviceRemovals();
        if (EVENTS == null || CONNECTION_POINTER == null || DOMAIN_POINTER == null) {
            return removals;
        }
        try {
            ConnectionPointer pointer = (ConnectionPointer) CONNECTION_POINTER.get(connect);
            int id = EVENTS.virConnectDomainEventRegisterAny(pointer, (DomainPointer) DOMAIN_POINTER.get(domain),
                    EVENT_ID_DEVICE_REMOVED, removals.callback, null, null);
            if (id >= 0) {
                removals.connection = pointer;
                removals.callbackId = id;
            } else {
                log.debug("cannot register device-removed events (rc {}), polling", id);
            }
        } catch (IllegalAccessException | RuntimeException e) {
            log.debug("cannot register device-removed events, polling", e);
        }
        return removals;
    }

    /** Whether libvirt's events wake the waiter (else it polls). */
    public boolean eventDriven() {
        return callbackId >= 0;
    }

    /**
     * Waits until a device was removed since the last call, or {@code timeout} (at most {@link #POLL}
     * without events) has passed.
     */
    public void awaitRemoval(Duration timeout) {
        Duration wait = !eventDriven() && timeout.compareTo(POLL) > 0 ? POLL : timeout;
        try {
            if (removals.tryAcquire(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS)) {
                removals.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        ConnectionPointer registeredOn = connection;
        if (EVENTS != null && registeredOn != null && callbackId >= 0) {
            if (EVENTS.virConnectDomainEventDeregisterAny(registeredOn, callbackId) < 0) {
                log.debug("cannot deregister device-removed callback {}", callbackId);
            }
        }
    }
}

package dev.computeagent.virt.libvirt.binding;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * libvirt's device-removed events of one domain ({@code VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED}, which
 * libvirt-java does not map), while a detach waits for its guest to release a device. The event only
 * wakes the waiter, who then looks at the domain's definition: what counts is that the device is gone.
 * Where the callback cannot be registered the waiter wakes every {@link #POLL} instead. {@link #close()}
 * deregisters it.
 */
public final class DeviceRemovals implements AutoCloseable {

    private static final int EVENT_ID_DEVICE_REMOVED = 15;
    /** How often a waiter without events looks again. */
    static final Duration POLL = Duration.ofMillis(250);

    /** {@code virConnectDomainEventDeviceRemovedCallback}. */
    public interface DeviceRemovedCallback extends Callback {
        void invoke(Pointer connection, Pointer domain, String deviceAlias, Pointer opaque);
    }

    private final Semaphore removals = new Semaphore(0);
    /** Held strongly while registered: JNA would otherwise collect it while libvirt still points at it. */
    private final DeviceRemovedCallback callback = (connection, domain, alias, opaque) -> removals.release();
    private @Nullable DomainEventCallback registration;

    private DeviceRemovals() {
    }

    /** Starts listening for removals from {@code domain}; before the detach request, so none is missed. */
    static DeviceRemovals watch(Connect connect, Domain domain) {
        DeviceRemovals removals = new DeviceRemovals();
        removals.registration = DomainEventCallback.register(connect, domain, EVENT_ID_DEVICE_REMOVED,
                removals.callback, "device-removed (polling instead)");
        return removals;
    }

    /** Whether libvirt's events wake the waiter (else it polls). */
    public boolean eventDriven() {
        return registration != null && registration.registered();
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
        if (registration != null) {
            registration.close();
        }
    }
}

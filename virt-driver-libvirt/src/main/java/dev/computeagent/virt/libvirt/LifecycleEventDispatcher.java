package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.LifecycleListener;
import dev.computeagent.virt.Subscription;
import dev.computeagent.virt.libvirt.binding.DomainHandle;
import dev.computeagent.virt.libvirt.binding.DomainLifecycleEvent;
import dev.computeagent.virt.libvirt.domain.DomainNames;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes raw domain events off libvirt's event-loop thread (which must never block) and delivers
 * the events of the agent's (managed) domains, in order, on one "libvirt-lifecycle-events" thread.
 */
final class LifecycleEventDispatcher implements Consumer<DomainLifecycleEvent>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LifecycleEventDispatcher.class);

    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "libvirt-lifecycle-events");
        thread.setDaemon(true);
        return thread;
    });
    private final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();
    private final ManagedDomains managed;
    private final Clock clock;
    private ConnectionManager connections;

    LifecycleEventDispatcher(ManagedDomains managed, Clock clock) {
        this.managed = managed;
        this.clock = clock;
    }

    /** The connection used to check whether a not-yet-seen domain is the agent's. */
    void attach(ConnectionManager connectionManager) {
        this.connections = connectionManager;
    }

    /** Called on the event-loop thread: only queues. */
    @Override
    public void accept(DomainLifecycleEvent event) {
        try {
            executor.execute(() -> dispatch(event));
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    Subscription subscribe(LifecycleListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private void dispatch(DomainLifecycleEvent raw) {
        if (!DomainNames.uuidOf(raw.name()).map(raw.uuid()::equals).orElse(false) || !isManaged(raw)) {
            return;
        }
        if (raw.type() == LifecycleEvent.Type.UNDEFINED) {
            managed.forget(raw.uuid());
        }
        LifecycleEvent event = new LifecycleEvent(raw.uuid(), raw.type(), raw.powerState(), clock.instant());
        for (LifecycleListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("lifecycle listener {} failed on {}", listener, event, e);
            }
        }
    }

    private boolean isManaged(DomainLifecycleEvent raw) {
        if (managed.isKnown(raw.uuid())) {
            return true;
        }
        if (raw.type() == LifecycleEvent.Type.UNDEFINED || connections == null) {
            return false;
        }
        try {
            return connections.call(connection -> {
                Optional<DomainHandle> handle = managed.find(connection, raw.uuid());
                handle.ifPresent(DomainHandle::close);
                return handle.isPresent();
            });
        } catch (DriverException e) {
            log.debug("cannot tell whether {} is ours; dropping its {} event", raw.name(), raw.type(), e);
            return false;
        }
    }
}

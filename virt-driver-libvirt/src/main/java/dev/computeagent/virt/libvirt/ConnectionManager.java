package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.libvirt.binding.DomainLifecycleEvent;
import dev.computeagent.virt.libvirt.binding.LibvirtConnection;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the libvirt connection: opens it, notices when it dies (libvirt's close callback, which
 * keepalive also triggers, or a call failing on a dead connection), reopens it with exponential
 * backoff and re-registers the lifecycle-event callback on every new connection.
 *
 * <p>While there is no connection every {@link #call} throws {@link HypervisorUnavailableException}
 * (retriable). All connection state changes happen on one "libvirt-reconnect" thread.
 */
public final class ConnectionManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionManager.class);
    private static final Duration FIRST_ATTEMPT_WAIT = Duration.ofSeconds(10);

    private final LibvirtDriverSettings settings;
    private final Consumer<DomainLifecycleEvent> events;
    private final ScheduledExecutorService reconnector = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "libvirt-reconnect");
        thread.setDaemon(true);
        return thread;
    });
    private volatile @Nullable LibvirtConnection current;
    private volatile boolean closed;
    private volatile long connects;
    /** Only touched on the reconnect thread. */
    private Duration backoff;
    private boolean attemptScheduled;

    ConnectionManager(LibvirtDriverSettings settings, Consumer<DomainLifecycleEvent> events) {
        this.settings = settings;
        this.events = events;
        this.backoff = settings.reconnectInitialBackoff();
    }

    /**
     * Tries to connect once now, waiting at most {@link #FIRST_ATTEMPT_WAIT} for the outcome (a
     * black-holed {@code qemu+tcp} host would otherwise hold the caller for the TCP timeout); on
     * failure, or while the attempt is still pending, keeps trying in the background.
     */
    void start() {
        try {
            reconnector.submit(this::attempt).get(FIRST_ATTEMPT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("connecting to {} takes longer than {}; continuing in the background", settings.uri(),
                    FIRST_ATTEMPT_WAIT);
        } catch (ExecutionException e) {
            log.warn("first connection attempt to {} failed unexpectedly", settings.uri(), e.getCause());
        }
    }

    /**
     * Runs {@code action} on the current connection.
     *
     * @throws HypervisorUnavailableException there is no connection right now, or it died during the call
     */
    public <T> T call(Function<LibvirtConnection, T> action) {
        LibvirtConnection connection = current;
        if (connection == null) {
            throw new HypervisorUnavailableException("not connected to " + settings.uri() + " (reconnecting)");
        }
        try {
            return action.apply(connection);
        } catch (HypervisorUnavailableException e) {
            if (!connection.isAlive()) {
                submit(() -> lost(connection, "call failed: " + e.getMessage()));
            }
            throw e;
        }
    }

    /** Whether a live connection exists. Never throws. */
    public boolean isConnected() {
        LibvirtConnection connection = current;
        return connection != null && connection.isAlive();
    }

    /** How many times a connection was established (the first one included). */
    public long connectCount() {
        return connects;
    }

    public String uri() {
        return settings.uri();
    }

    @Override
    public void close() {
        closed = true;
        reconnector.shutdownNow();
        LibvirtConnection connection = current;
        current = null;
        if (connection != null) {
            connection.close();
        }
    }

    private void attempt() {
        attemptScheduled = false;
        if (closed || current != null) {
            return;
        }
        AtomicReference<LibvirtConnection> opened = new AtomicReference<>();
        try {
            LibvirtConnection connection = LibvirtConnection.open(settings.uri(), settings.keepaliveInterval(),
                    settings.keepaliveCount(), reason -> submit(() -> lost(opened.get(), reason)));
            opened.set(connection);
            try {
                connection.onLifecycleEvents(events);
            } catch (DriverException e) {
                connection.close();
                throw e;
            }
            current = connection;
            connects++;
            backoff = settings.reconnectInitialBackoff();
            log.info("connected to {} (connection #{})", settings.uri(), connects);
        } catch (DriverException e) {
            log.warn("cannot connect to {}: {}; retrying in {} ms", settings.uri(), e.getMessage(), backoff.toMillis());
            scheduleAttempt();
        }
    }

    private void lost(LibvirtConnection connection, String reason) {
        if (connection == null || connection != current) {
            return;
        }
        log.warn("lost the connection to {} ({}); reconnecting", settings.uri(), reason);
        current = null;
        connection.close();
        attempt();
    }

    private void scheduleAttempt() {
        if (closed || attemptScheduled) {
            return;
        }
        attemptScheduled = true;
        Duration wait = backoff;
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(settings.reconnectMaxBackoff()) > 0 ? settings.reconnectMaxBackoff() : doubled;
        try {
            reconnector.schedule(this::attempt, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            attemptScheduled = false;
        }
    }

    private void submit(Runnable task) {
        try {
            reconnector.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: nothing to reconnect
        }
    }
}

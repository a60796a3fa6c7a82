package dev.computeagent.virt.libvirt.binding;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.DomainPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's job-completed event of one domain ({@code VIR_DOMAIN_EVENT_ID_JOB_COMPLETED}, which libvirt-java
 * does not map), for the guest's real downtime of a migration seen from the source: libvirt removes the source
 * domain (and with it the completed job's statistics) when an outgoing migration ends, but emits this event
 * with those statistics first. Registered before the migration starts; {@link #close()} deregisters it. Where
 * the callback cannot be registered, or the event does not come, the downtime is simply not known.
 */
public final class JobCompletions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobCompletions.class);
    private static final int EVENT_ID_JOB_COMPLETED = 21;
    /** {@code virTypedParameter}: {@code char field[80]; int type;} then an 8-byte union at offset 88. */
    private static final int PARAM_SIZE = 96;
    private static final int PARAM_TYPE_OFFSET = 80;
    private static final int PARAM_VALUE_OFFSET = 88;
    private static final int TYPE_ULLONG = 4;
    /** {@code VIR_DOMAIN_JOB_DOWNTIME}. */
    private static final String DOWNTIME = "downtime";

    /** {@code virConnectDomainEventJobCompletedCallback}. */
    public interface JobCompletedCallback extends Callback {
        void invoke(Pointer connection, Pointer domain, Pointer params, int nparams, Pointer opaque);
    }

    private interface Events extends Library {
        int virConnectDomainEventRegisterAny(ConnectionPointer connection, DomainPointer domain, int eventId,
                                             JobCompletedCallback callback, @Nullable Pointer opaque,
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
            log.warn("job-completed events unavailable, migration downtime will not be reported: {}", e.toString());
        }
        EVENTS = events;
        CONNECTION_POINTER = connection;
        DOMAIN_POINTER = domain;
    }

    private final CompletableFuture<OptionalLong> downtimeMs = new CompletableFuture<>();
    /** Held strongly while registered: JNA would otherwise collect it while libvirt still points at it. */
    private final JobCompletedCallback callback = (connection, domain, params, nparams, opaque) ->
            downtimeMs.complete(downtime(params, nparams));
    private @Nullable ConnectionPointer connection;
    private int callbackId = -1;

    private JobCompletions() {
    }

    /** Starts listening for the completion of {@code domain}'s job; before the job starts, so it is not missed. */
    static JobCompletions watch(Connect connect, Domain domain) {
        JobCompletions completions = new JobCompletions();
        if (EVENTS == null || CONNECTION_POINTER == null || DOMAIN_POINTER == null) {
            return completions;
        }
        try {
            ConnectionPointer pointer = (ConnectionPointer) CONNECTION_POINTER.get(connect);
            int id = EVENTS.virConnectDomainEventRegisterAny(pointer, (DomainPointer) DOMAIN_POINTER.get(domain),
                    EVENT_ID_JOB_COMPLETED, completions.callback, null, null);
            if (id >= 0) {
                completions.connection = pointer;
                completions.callbackId = id;
            } else {
                log.debug("cannot register job-completed events (rc {})", id);
            }
        } catch (IllegalAccessException | RuntimeException e) {
            log.debug("cannot register job-completed events", e);
        }
        return completions;
    }

    /**
     * The completed job's downtime ({@code downtime}, ms), waiting up to {@code wait} for the event (libvirt queues
     * it before the migration call returns; its delivery to this client may trail the call's reply a little).
     */
    public OptionalLong downtimeMs(Duration wait) {
        if (callbackId < 0) {
            return OptionalLong.empty();
        }
        try {
            return downtimeMs.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    static OptionalLong downtime(Pointer params, int nparams) {
        for (int i = 0; i < nparams; i++) {
            long base = (long) i * PARAM_SIZE;
            if (DOWNTIME.equals(params.getString(base)) && params.getInt(base + PARAM_TYPE_OFFSET) == TYPE_ULLONG) {
                return OptionalLong.of(params.getLong(base + PARAM_VALUE_OFFSET));
            }
        }
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        ConnectionPointer registeredOn = connection;
        if (EVENTS != null && registeredOn != null && callbackId >= 0) {
            if (EVENTS.virConnectDomainEventDeregisterAny(registeredOn, callbackId) < 0) {
                log.debug("cannot deregister job-completed callback {}", callbackId);
            }
        }
    }
}

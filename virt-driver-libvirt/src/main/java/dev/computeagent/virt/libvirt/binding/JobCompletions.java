package dev.computeagent.virt.libvirt.binding;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * libvirt's job-completed event of one domain ({@code VIR_DOMAIN_EVENT_ID_JOB_COMPLETED}, which libvirt-java
 * does not map), for the guest's real downtime of a migration seen from the source: libvirt removes the source
 * domain (and with it the completed job's statistics) when an outgoing migration ends, but emits this event
 * with those statistics first. Registered before the migration starts; {@link #close()} deregisters it. Where
 * the callback cannot be registered, or the event does not come, the downtime is simply not known.
 */
public final class JobCompletions implements AutoCloseable {

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

    private final CompletableFuture<OptionalLong> downtimeMs = new CompletableFuture<>();
    /** Held strongly while registered: JNA would otherwise collect it while libvirt still points at it. */
    private final JobCompletedCallback callback = (connection, domain, params, nparams, opaque) ->
            downtimeMs.complete(downtime(params, nparams));
    private @Nullable DomainEventCallback registration;

    private JobCompletions() {
    }

    /** Starts listening for the completion of {@code domain}'s job; before the job starts, so it is not missed. */
    static JobCompletions watch(Connect connect, Domain domain) {
        JobCompletions completions = new JobCompletions();
        completions.registration = DomainEventCallback.register(connect, domain, EVENT_ID_JOB_COMPLETED,
                completions.callback, "job-completed (no downtime reported)");
        return completions;
    }

    /** Whether libvirt will tell the completion (else the downtime stays unknown). */
    boolean registered() {
        return registration != null && registration.registered();
    }

    /**
     * The completed job's downtime ({@code downtime}, ms), waiting up to {@code wait} for the event (libvirt queues
     * it before the migration call returns; its delivery to this client may trail the call's reply a little).
     */
    public OptionalLong downtimeMs(Duration wait) {
        if (!registered()) {
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
        if (registration != null) {
            registration.close();
        }
    }
}

package dev.computeagent.agent.migration;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The migrations this agent drives as the source right now, for {@code migrate_abort}: each says how
 * far it got (before the transfer, transferring, past the point of no return) and whether a cancel was
 * asked, and completes {@link Running#ended()} when its {@code migrate} has finished (rollback
 * included). Thread-safe.
 */
public final class OutgoingMigrations {

    private final Map<UUID, Running> running = new ConcurrentHashMap<>();

    Running begin(UUID uuid, String requestId, String destination) {
        Running migration = new Running(requestId, destination);
        running.put(uuid, migration);
        return migration;
    }

    /** The migration ended: {@code moved} when the instance left this host. */
    void end(UUID uuid, Running migration, boolean moved) {
        running.remove(uuid, migration);
        migration.ended.complete(moved);
    }

    Optional<Running> find(UUID uuid) {
        return Optional.ofNullable(running.get(uuid));
    }

    /** What a cancel can still do. */
    enum Cancel {
        /** Not transferring yet: the migration stops at its next step and rolls back. */
        BEFORE_TRANSFER,
        /** The hypervisor's job must be aborted. */
        ABORT_JOB,
        /** The guest runs (or is handed over) on the destination: nothing to cancel. */
        TOO_LATE
    }

    /** One outgoing migration, shared by its {@code migrate} and a {@code migrate_abort}. */
    static final class Running {
        private final String requestId;
        private final String destination;
        private final CompletableFuture<Boolean> ended = new CompletableFuture<>();
        private @Nullable String cancelledBy;
        private boolean transferring;
        private boolean pastReturn;

        private Running(String requestId, String destination) {
            this.requestId = requestId;
            this.destination = destination;
        }

        String requestId() {
            return requestId;
        }

        String destination() {
            return destination;
        }

        /** Completes with whether the instance left this host, once the {@code migrate} finished. */
        CompletableFuture<Boolean> ended() {
            return ended;
        }

        /** Asks to cancel on behalf of {@code abortRequestId}. */
        synchronized Cancel cancel(String abortRequestId) {
            if (pastReturn) {
                return Cancel.TOO_LATE;
            }
            if (cancelledBy == null) {
                cancelledBy = abortRequestId;
            }
            return transferring ? Cancel.ABORT_JOB : Cancel.BEFORE_TRANSFER;
        }

        /** The request that cancelled this migration, if one did. */
        synchronized Optional<String> cancelledBy() {
            return Optional.ofNullable(cancelledBy);
        }

        /** The hypervisor's transfer starts; false (and nothing starts) when a cancel came first. */
        synchronized boolean enterTransfer() {
            transferring = cancelledBy == null;
            return transferring;
        }

        /** From now on the instance is the destination's; false (nothing passed) when a cancel came first. */
        synchronized boolean passPointOfNoReturn() {
            pastReturn = cancelledBy == null;
            return pastReturn;
        }

        /** The hypervisor moved the guest (whatever a late cancel asked). */
        synchronized void movedByHypervisor() {
            pastReturn = true;
        }
    }
}

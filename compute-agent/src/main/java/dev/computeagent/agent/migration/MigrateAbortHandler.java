package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.migration.MigrationDriver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code migrate_abort}, on the source, beside the instance's running {@code migrate} (a control
 * command): cancels it and answers once that {@code migrate} has rolled back, the instance running
 * here ({@code ACTIVE}) and the destination told {@code migration.abort} (no domain, disks nor
 * reservation left there); the {@code migrate} itself ends {@code instance.migrate.error}
 * {@code MIGRATION_FAILED} naming this request. Before the transfer the migration stops at its next
 * step; during it the hypervisor's job is aborted ({@link MigrationDriver#cancelMigration}).
 *
 * <p>Refusals ({@code INVALID_STATE}, not retriable, nothing changed): no migration of the instance runs here; the
 * guest already switched over to the destination (too late: the migration completes). A migration
 * that does not end within the bound is {@code TIMEOUT} (retriable: ask again).
 */
public final class MigrateAbortHandler implements CommandHandler<NoArgs> {

    private static final Logger log = LoggerFactory.getLogger(MigrateAbortHandler.class);
    /** Above the driver's grace for an aborted transfer (60 s) plus the destination's abort (30 s). */
    public static final Duration DEFAULT_BOUND = Duration.ofMinutes(3);
    /** Between two attempts to reach a job that is starting (libvirt has none to abort yet). */
    private static final Duration RETRY = Duration.ofMillis(100);

    private final OutgoingMigrations outgoing;
    private final MigrationDriver migrationDriver;
    private final InstanceStore store;
    private final Duration bound;

    /** @param bound how long to wait for the cancelled migration to have rolled back */
    public MigrateAbortHandler(OutgoingMigrations outgoing, MigrationDriver migrationDriver, InstanceStore store,
                               Duration bound) {
        this.outgoing = outgoing;
        this.migrationDriver = migrationDriver;
        this.store = store;
        this.bound = bound;
    }

    @Override
    public CommandName command() {
        return CommandName.MIGRATE_ABORT;
    }

    @Override
    public Outcome handle(Command<NoArgs> command) {
        UUID uuid = command.instanceUuid();
        OutgoingMigrations.Running migration = outgoing.find(uuid).orElseThrow(() -> new CommandFailedException(
                ErrorCode.INVALID_STATE, "no migration of " + uuid + " runs on this host", false));
        OutgoingMigrations.Cancel cancel = migration.cancel(command.requestId());
        log.info("migrate_abort {}: cancelling migration {} of {} to {} ({})", command.requestId(),
                migration.requestId(), uuid, migration.destination(), cancel);
        if (cancel == OutgoingMigrations.Cancel.TOO_LATE) {
            throw tooLate(uuid, migration);
        }
        boolean moved = awaitEnd(uuid, migration, cancel == OutgoingMigrations.Cancel.ABORT_JOB);
        if (moved) {
            throw tooLate(uuid, migration);
        }
        Map<String, Object> payload = new LinkedHashMap<>(store.view(uuid).map(Outcome::payloadOf).orElse(Map.of()));
        payload.put("destination", migration.destination());
        payload.put("cancelled_request_id", migration.requestId());
        return new Outcome(payload);
    }

    /** Aborts the job (retrying while it is being set up) and waits for the migrate's rollback. */
    private boolean awaitEnd(UUID uuid, OutgoingMigrations.Running migration, boolean abortJob) {
        long deadline = System.nanoTime() + bound.toNanos();
        boolean asked = !abortJob;
        while (true) {
            if (!asked) {
                asked = migrationDriver.cancelMigration(uuid);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CommandFailedException(ErrorCode.TIMEOUT, "the migration of " + uuid + " to "
                        + migration.destination() + " did not end within " + bound.toSeconds()
                        + " s of the cancel; ask again", true);
            }
            try {
                return migration.ended().get(asked ? left : Math.min(left, RETRY.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // still running: ask the hypervisor again if it had no job to abort yet
            } catch (ExecutionException e) {
                throw new IllegalStateException("a migration's end is never completed exceptionally", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailedException(ErrorCode.INTERNAL_ERROR, "interrupted while cancelling", true);
            }
        }
    }

    private static CommandFailedException tooLate(UUID uuid, OutgoingMigrations.Running migration) {
        return new CommandFailedException(ErrorCode.INVALID_STATE, "too late to cancel: the migration of " + uuid
                + " to " + migration.destination() + " is past its switch-over; the instance runs there", false);
    }
}

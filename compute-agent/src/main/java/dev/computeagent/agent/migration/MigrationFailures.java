package dev.computeagent.agent.migration;

import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.virt.migration.MigrationException;
import java.util.Locale;

/**
 * Turns a driver's {@link MigrationException} into the command's outcome: {@link ErrorCode#TIMEOUT}
 * when the completion timeout aborted it, {@link ErrorCode#MIGRATION_FAILED} otherwise; the message
 * names the step and the reason, as {@code instance.migrate.error} must.
 */
public final class MigrationFailures {

    private MigrationFailures() {
    }

    public static CommandFailedException toCommandFailure(MigrationException e) {
        return toCommandFailure(e, e.sourceStillRunning() ? "the instance still runs on the source"
                : "the instance is not confirmed running on the source");
    }

    /** As {@link #toCommandFailure(MigrationException)}, with where the instance is said by the caller. */
    public static CommandFailedException toCommandFailure(MigrationException e, String state) {
        ErrorCode code = e.reason() == MigrationException.Reason.TIMED_OUT ? ErrorCode.TIMEOUT : ErrorCode.MIGRATION_FAILED;
        String where = "step " + e.step().name().toLowerCase(Locale.ROOT) + ", "
                + e.reason().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return new CommandFailedException(code, "migration failed (" + where + "; " + state + "): " + e.getMessage(),
                e.retriable(), e);
    }
}

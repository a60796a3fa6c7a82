package dev.computeagent.virt.migration;

import dev.computeagent.virt.DriverException;
import java.util.Objects;

/**
 * A migration failed; {@link #step()} says where and {@link #reason()} why. Unless
 * {@link #sourceStillRunning()} is false, the instance is still running on the source and the
 * destination holds no definition of it (libvirt rolled the transfer back).
 */
public class MigrationException extends DriverException {

    /** Where the migration stopped. */
    public enum Step {
        /** Looking up the instance or setting the migration parameters on the source. */
        PREPARE,
        /** The transfer itself (including reaching the destination). */
        TRANSFER,
        /** The monitor ended the transfer (timeout, stall). */
        MONITOR,
        /** Exporting the instance or defining it on the destination of a cold migration. */
        DEFINITION
    }

    /** Why it failed, as far as the hypervisor tells. */
    public enum Reason {
        /** The destination's hypervisor could not be reached at the migration URI. */
        DESTINATION_UNREACHABLE,
        /** The destination refused (e.g. cannot start the guest, same host, storage unsafe). */
        DESTINATION_REFUSED,
        /** The completion timeout passed; the transfer was aborted. */
        TIMED_OUT,
        /** The remaining data stopped shrinking for the stall window; the transfer was aborted. */
        STALLED,
        /** Someone else aborted the job. */
        ABORTED,
        /** The instance does not exist or is not running on the source. */
        NOT_MIGRATABLE,
        /** Anything else the hypervisor reported. */
        FAILED,
        /**
         * The transfer failed, as the source sees it, after it switched to post-copy: the guest runs on the
         * destination (never again on the source) and its memory may be split between the hosts. Whether the
         * migration still completes is the destination's hypervisor's to tell
         * ({@link MigrationDriver#incomingState}): QEMU goes on without a crashed source libvirtd; a dead QEMU or
         * link leaves the destination's copy paused, post-copy failed. Never retriable.
         */
        POST_COPY_FAILED
    }

    private final Step step;
    private final Reason reason;
    private final boolean sourceStillRunning;

    public MigrationException(Step step, Reason reason, String message, Throwable cause) {
        this(step, reason, true, message, cause);
    }

    public MigrationException(Step step, Reason reason, boolean sourceStillRunning, String message,
                              Throwable cause) {
        super("migration failed at " + Objects.requireNonNull(step, "step") + " ("
                + Objects.requireNonNull(reason, "reason") + "): " + message, cause);
        this.step = step;
        this.reason = reason;
        this.sourceStillRunning = sourceStillRunning;
    }

    public Step step() {
        return step;
    }

    public Reason reason() {
        return reason;
    }

    /** Whether the instance is (as far as the driver knows) still running on the source. */
    public boolean sourceStillRunning() {
        return sourceStillRunning;
    }

    /** A timed-out, stalled or unreachable migration may succeed when tried again. */
    @Override
    public boolean retriable() {
        return reason == Reason.TIMED_OUT || reason == Reason.STALLED
                || reason == Reason.DESTINATION_UNREACHABLE;
    }
}

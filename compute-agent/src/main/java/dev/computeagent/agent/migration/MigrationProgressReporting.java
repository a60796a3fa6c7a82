package dev.computeagent.agent.migration;

import dev.computeagent.agent.state.MigrationProgressBoard;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * How the source reports its migrations' progress: every sample on the {@link MigrationProgressBoard}
 * (the REST view), an event at most once per {@code eventInterval}.
 */
public record MigrationProgressReporting(MigrationProgressBoard board, ProgressEvents events, Duration eventInterval) {

    /** The agent's default event interval ({@code agent.migration.progress-interval}). */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

    public MigrationProgressReporting {
        Objects.requireNonNull(board, "board");
        Objects.requireNonNull(events, "events");
        if (eventInterval.isNegative() || eventInterval.isZero()) {
            throw new IllegalArgumentException("progress event interval must be positive: " + eventInterval);
        }
    }

    /** A board of its own, no events: for what does not care. */
    public static MigrationProgressReporting quiet() {
        return new MigrationProgressReporting(new MigrationProgressBoard(), ProgressEvents.NONE, DEFAULT_INTERVAL);
    }

    ProgressTracker track(UUID uuid, String requestId, String destination) {
        return new ProgressTracker(this, uuid, requestId, destination);
    }
}

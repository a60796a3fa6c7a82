package dev.computeagent.agent.migration;

import dev.computeagent.agent.message.MigrationProgressPayload;
import java.util.UUID;

/**
 * Where {@code instance.migrate.progress} goes (implemented over the event sink by the wiring). Called
 * on the migrating thread: an implementation must not wait for the broker, and a lost progress event
 * is not a failure (the next one, or the end event, says more).
 */
@FunctionalInterface
public interface ProgressEvents {

    /** Publishes nothing (tests, and agents that only receive migrations). */
    ProgressEvents NONE = (uuid, requestId, progress) -> { };

    void publish(UUID uuid, String requestId, MigrationProgressPayload progress);
}

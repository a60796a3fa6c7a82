package dev.computeagent.agent.config;

import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.execution.BackgroundTasks;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.MigrationProgressPayload;
import dev.computeagent.agent.migration.ProgressEvents;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;

/**
 * {@code instance.migrate.progress} over the event sink, from one thread of its own: the migrating
 * thread never waits for the broker's confirmation, and the events keep their order.
 */
final class ProgressEventPublisher implements ProgressEvents, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProgressEventPublisher.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private final EventSink events;
    private final ExecutorService sender = BackgroundTasks.daemonScheduler("migration-progress");

    ProgressEventPublisher(EventSink events) {
        this.events = events;
    }

    @Override
    public void publish(UUID uuid, String requestId, MigrationProgressPayload progress) {
        Map<String, Object> payload = AgentJson.mapper().convertValue(progress, MAP);
        try {
            sender.execute(() -> {
                if (!events.publish(events.event(MigrationProgressPayload.EVENT, requestId, uuid.toString(), payload, null))) {
                    log.debug("progress of the migration of {} not confirmed by the broker", uuid);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("shutting down: progress of the migration of {} not published", uuid);
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}

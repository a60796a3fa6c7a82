package dev.computeagent.agent.state;

import dev.computeagent.agent.message.MigrationProgressPayload;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest progress of each migration this agent drives as the source, for
 * {@code GET /v1/instances/{uuid}}; an instance is on the board only while its migration runs.
 * In memory only (a restarted agent has no running migration to show). Thread-safe.
 */
public final class MigrationProgressBoard {

    private final Map<UUID, MigrationProgressPayload> latest = new ConcurrentHashMap<>();

    public void show(UUID uuid, MigrationProgressPayload progress) {
        latest.put(uuid, progress);
    }

    public void clear(UUID uuid) {
        latest.remove(uuid);
    }

    public Optional<MigrationProgressPayload> find(UUID uuid) {
        return Optional.ofNullable(latest.get(uuid));
    }
}

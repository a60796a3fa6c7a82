package dev.computeagent.agent.migration;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The instances this agent is migrating away or receiving right now. While an instance is listed,
 * the hypervisor's lifecycle events for it (the source sees it stop and vanish, the destination sees
 * it appear paused then resume) are the migration's own doing: the power-state sync ignores them and
 * the destination does not list the instance before it adopts it. Thread-safe.
 */
public final class MigrationsInFlight {

    private final Set<UUID> uuids = ConcurrentHashMap.newKeySet();

    public void begin(UUID uuid) {
        uuids.add(uuid);
    }

    public void end(UUID uuid) {
        uuids.remove(uuid);
    }

    public boolean contains(UUID uuid) {
        return uuids.contains(uuid);
    }
}

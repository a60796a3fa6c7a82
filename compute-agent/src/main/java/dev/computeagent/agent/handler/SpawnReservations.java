package dev.computeagent.agent.handler;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Memory and disk promised to spawns in flight. A spawn's capacity check and its reservation are one
 * atomic step, so two concurrent spawns cannot both take the last of the host while their images
 * download (minutes, before either instance is in the registry). A reservation lasts until its spawn
 * ends, successful or not.
 */
final class SpawnReservations {

    /** What one spawn holds. */
    record Claim(long memoryMb, long diskBytes) {
    }

    /** What the other spawns in flight hold, and which instances they are (to count each once). */
    record Others(long memoryMb, long diskBytes, Set<String> uuids) {
    }

    /** Decides against what others hold; throws to refuse. */
    @FunctionalInterface
    interface Check {
        void check(Others others);
    }

    private final Map<UUID, Claim> claims = new HashMap<>();

    /**
     * Runs {@code check} with what the other spawns in flight hold and, when it returns, records
     * {@code claim} for {@code uuid}; both under one lock.
     */
    synchronized void reserve(UUID uuid, Claim claim, Check check) {
        long memoryMb = 0;
        long diskBytes = 0;
        Set<String> uuids = new HashSet<>();
        for (Map.Entry<UUID, Claim> other : claims.entrySet()) {
            if (!other.getKey().equals(uuid)) {
                memoryMb += other.getValue().memoryMb();
                diskBytes += other.getValue().diskBytes();
                uuids.add(other.getKey().toString());
            }
        }
        check.check(new Others(memoryMb, diskBytes, Set.copyOf(uuids)));
        claims.put(uuid, claim);
    }

    synchronized void release(UUID uuid) {
        claims.remove(uuid);
    }
}

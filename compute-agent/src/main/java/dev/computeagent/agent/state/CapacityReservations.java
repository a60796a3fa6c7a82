package dev.computeagent.agent.state;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Memory and disk promised to instances on their way to this host: spawns in flight (while their
 * images download, before they are in the registry) and incoming migrations (from prepare until
 * adopt or abort). A capacity check and its reservation are one atomic step, so two arrivals cannot
 * both take the last of the host. One per agent; thread-safe.
 */
public final class CapacityReservations {

    /** What one arriving instance holds. */
    public record Claim(long memoryMb, long diskBytes) {
    }

    /** What the other arriving instances hold, and which they are (to count each once). */
    public record Others(long memoryMb, long diskBytes, Set<String> uuids) {

        /** Memory of the registry's instances that are not among these, plus these. */
        public long memoryMbWith(Collection<InstanceView> registered, UUID self) {
            return memoryMb + registered.stream()
                    .filter(v -> !v.uuid().equals(self.toString()) && !uuids.contains(v.uuid()))
                    .mapToLong(v -> v.flavor().memoryMb()).sum();
        }
    }

    /** Decides against what others hold; throws to refuse. */
    @FunctionalInterface
    public interface Check {
        void check(Others others);
    }

    private final Map<UUID, Claim> claims = new HashMap<>();

    /**
     * Runs {@code check} with what the other arriving instances hold and, when it returns, records
     * {@code claim} for {@code uuid}; both under one lock.
     */
    public synchronized void reserve(UUID uuid, Claim claim, Check check) {
        check.check(others(uuid));
        claims.put(uuid, claim);
    }

    /** Runs {@code check} with what the other arriving instances hold, reserving nothing. */
    public synchronized void check(UUID uuid, Check check) {
        check.check(others(uuid));
    }

    /** Ends {@code uuid}'s reservation, if it has one. */
    public synchronized void release(UUID uuid) {
        claims.remove(uuid);
    }

    private Others others(UUID uuid) {
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
        return new Others(memoryMb, diskBytes, Set.copyOf(uuids));
    }
}

package dev.computeagent.agent.migration;

import dev.computeagent.hostio.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The instances this host let go while their stale definition is still in its hypervisor (a post-copy migration
 * that failed here and that the destination took over: libvirt keeps the failed job, which blocks the undefine).
 * Durable, one empty file per instance under {@code <state-dir>/released/<host>/}, so that the agent never takes
 * such a copy for its own again, not after a restart either. Per host because hosts may share the state directory
 * (shared instance storage): another host's release names an instance that may well be this host's now (the
 * destination of that very migration), which must never be hidden or removed here. Thread-safe.
 */
public final class ReleasedInstances {

    private final @Nullable Path dir;
    private final Set<UUID> uuids = ConcurrentHashMap.newKeySet();

    private ReleasedInstances(@Nullable Path dir) {
        this.dir = dir;
    }

    /**
     * The set {@code host} keeps under {@code stateDir}, as its earlier runs left it.
     *
     * @throws IllegalArgumentException {@code host} is no directory name of its own ({@code .} or {@code ..})
     * @throws UncheckedIOException     the directory cannot be created or read
     */
    public static ReleasedInstances in(Path stateDir, String host) {
        if (host.isEmpty() || host.equals(".") || host.equals("..") || host.contains("/")) {
            throw new IllegalArgumentException("host " + host + " cannot name a directory of its own");
        }
        ReleasedInstances released = new ReleasedInstances(stateDir.resolve("released").resolve(host));
        try {
            Files.createDirectories(released.dir);
            try (Stream<Path> files = Files.list(released.dir)) {
                files.map(p -> p.getFileName().toString()).filter(ReleasedInstances::isUuid).map(UUID::fromString)
                        .forEach(released.uuids::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + released.dir, e);
        }
        return released;
    }

    /** A set that lives as long as the process (the fakes' agents, which keep no state directory). */
    public static ReleasedInstances inMemory() {
        return new ReleasedInstances(null);
    }

    /** Records {@code uuid} durably. @throws UncheckedIOException the record could not be written */
    void add(UUID uuid) {
        if (dir != null) {
            try {
                AtomicFiles.createEmpty(dir.resolve(uuid.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record the release of " + uuid, e);
            }
        }
        uuids.add(uuid);
    }

    boolean contains(UUID uuid) {
        return uuids.contains(uuid);
    }

    Set<UUID> all() {
        return Set.copyOf(uuids);
    }

    /** Forgets {@code uuid}: its stale copy is gone. A record that cannot be deleted is found again at start-up. */
    void remove(UUID uuid) {
        uuids.remove(uuid);
        if (dir != null) {
            try {
                Files.deleteIfExists(dir.resolve(uuid.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the release record of " + uuid, e);
            }
        }
    }

    private static boolean isUuid(String name) {
        try {
            return UUID.fromString(name).toString().equals(name);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

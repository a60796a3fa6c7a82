package dev.computeagent.agent.state;

import dev.computeagent.hostio.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-instance files under {@code <state-dir>/instances/<uuid>/} (docs/architecture.md, "Contracts"): the root disk
 * overlay {@code disk}, the ephemeral disk {@code disk.eph0} when the flavor has one, the config drive
 * {@code disk.config} when the instance has one, the serial console {@code console.log}, and the agent's
 * markers that the spawn completed, or failed with its domain not removable yet, which host created the
 * directory ({@code .created-by}: hosts may share the instances directory, and only the creator may take an
 * unfinished directory for a leftover), and which host took the instance over by a migration ({@code .owner}).
 * A directory another host owns is never removed here ({@link #delete}): on a shared instances directory it is
 * the running instance's of the host it migrated to. Base images ({@code _base/}) are never touched here.
 */
public final class InstanceFiles {

    private static final Logger log = LoggerFactory.getLogger(InstanceFiles.class);

    private static final String SPAWN_COMPLETE = ".spawn-complete";
    private static final String SPAWN_FAILED = ".spawn-failed";
    private static final String CREATED_BY = ".created-by";
    private static final String OWNER = ".owner";
    /** What a migration's prepare leaves in the directory it created for an arrival (with its source). */
    public static final String MIGRATION_PREPARED = ".migration-prepared";

    private final Path instancesDir;
    private final String host;

    /** @param host this agent's {@code agent.host}, recorded in the directories it creates */
    public InstanceFiles(Path stateDir, String host) {
        this.instancesDir = stateDir.toAbsolutePath().resolve("instances");
        this.host = host;
    }

    public Path dir(UUID uuid) {
        return instancesDir.resolve(uuid.toString());
    }

    public Path disk(UUID uuid) {
        return dir(uuid).resolve("disk");
    }

    /** The flavor's ephemeral disk, named as Nova names it. */
    public Path ephemeralDisk(UUID uuid) {
        return dir(uuid).resolve("disk.eph0");
    }

    /** The config drive (user data and metadata for the guest), named as Nova names it. */
    public Path configDrive(UUID uuid) {
        return dir(uuid).resolve("disk.config");
    }

    /** The rescue image's overlay while the instance is rescued, named as Nova names it. */
    public Path rescueDisk(UUID uuid) {
        return dir(uuid).resolve("disk.rescue");
    }

    public Path consoleLog(UUID uuid) {
        return dir(uuid).resolve("console.log");
    }

    /**
     * Bytes free for instance disks on the file system of the state directory (its nearest existing
     * ancestor when it does not exist yet).
     *
     * @throws UncheckedIOException the file system cannot be queried
     */
    public long usableSpace() {
        try {
            return fileStore().getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + instancesDir, e);
        }
    }

    /** Size in bytes of the file system of the state directory. @throws UncheckedIOException as {@link #usableSpace} */
    public long totalSpace() {
        try {
            return fileStore().getTotalSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + instancesDir, e);
        }
    }

    /** The file store of the instances directory, or of its nearest existing ancestor. */
    private FileStore fileStore() throws IOException {
        Path probe = instancesDir;
        while (probe != null && !Files.exists(probe)) {
            probe = probe.getParent();
        }
        return Files.getFileStore(probe == null ? Path.of("/") : probe);
    }

    /**
     * Creates the instance directory, recording this host as its creator; returns true when it did not exist
     * before. The record is not synced: lost in a crash, the directory is only left to the operator
     * ({@link #createdHere}).
     */
    public boolean create(UUID uuid) {
        Path dir = dir(uuid);
        try {
            boolean existed = Files.isDirectory(dir);
            Files.createDirectories(dir);
            if (!existed) {
                Files.writeString(dir.resolve(CREATED_BY), host, StandardCharsets.UTF_8);
            }
            return !existed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create instance directory " + dir, e);
        }
    }

    /**
     * Whether this host created the instance directory, as {@link #create} recorded it. False for another host's
     * (the instances directory is shared) and for one whose record is missing (made by an agent before the
     * record existed, or lost in a crash right after the directory was made).
     */
    public boolean createdHere(UUID uuid) {
        try {
            return host.equals(Files.readString(dir(uuid).resolve(CREATED_BY), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the creator of instance directory " + dir(uuid), e);
        }
    }

    /**
     * Records durably that this host owns the instance now (it arrived by a migration), so that the host it left
     * no longer takes a directory both share for its own ({@link #owner}).
     *
     * @throws UncheckedIOException the record could not be written
     */
    public void recordOwner(UUID uuid) {
        try {
            AtomicFiles.write(dir(uuid).resolve(OWNER), host.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the owner of instance directory " + dir(uuid), e);
        }
    }

    /**
     * The host whose instance the directory holds: the last one a migration brought it to ({@link #recordOwner}),
     * else its creator; empty when neither is recorded (a directory of an agent before these records).
     */
    public Optional<String> owner(UUID uuid) {
        for (String record : List.of(OWNER, CREATED_BY)) {
            try {
                return Optional.of(Files.readString(dir(uuid).resolve(record), StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                // the next record tells, or none
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the owner of instance directory " + dir(uuid), e);
            }
        }
        return Optional.empty();
    }

    /** Whether the directory exists and holds another host's instance ({@link #owner}). */
    public boolean ownedElsewhere(UUID uuid) {
        return owner(uuid).filter(owner -> !owner.equals(host)).isPresent();
    }

    /** Whether a migration's prepare made the directory for an instance arriving here and not adopted yet. */
    public boolean preparedForArrival(UUID uuid) {
        return Files.exists(dir(uuid).resolve(MIGRATION_PREPARED));
    }

    public boolean exists(UUID uuid) {
        return Files.isDirectory(dir(uuid));
    }

    /**
     * Records durably that the instance's spawn completed (its directory is then kept by recovery
     * even without a domain); a {@linkplain #markSpawnFailed failed} mark of an earlier attempt goes.
     *
     * @throws UncheckedIOException the marker could not be written
     */
    public void markSpawnComplete(UUID uuid) {
        try {
            // an empty marker: creating it and syncing the directory is durable and cannot tear (one
            // sync on the spawn's path to its answer, not two)
            AtomicFiles.createEmpty(dir(uuid).resolve(SPAWN_COMPLETE));
            Files.deleteIfExists(dir(uuid).resolve(SPAWN_FAILED));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spawn marker for " + uuid, e);
        }
    }

    public boolean spawnComplete(UUID uuid) {
        return Files.exists(dir(uuid).resolve(SPAWN_COMPLETE));
    }

    /**
     * Records durably that the instance's spawn failed but its domain could not be removed (the
     * hypervisor did not answer): the directory, disks included, stays until the domain is known to be
     * gone. A {@linkplain #markSpawnComplete complete} mark the failed spawn wrote goes first: the
     * failure is what counts.
     *
     * @throws UncheckedIOException the marker could not be written
     */
    public void markSpawnFailed(UUID uuid) {
        try {
            Files.deleteIfExists(dir(uuid).resolve(SPAWN_COMPLETE));
            AtomicFiles.write(dir(uuid).resolve(SPAWN_FAILED), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the failed-spawn marker for " + uuid, e);
        }
    }

    public boolean spawnFailed(UUID uuid) {
        return Files.exists(dir(uuid).resolve(SPAWN_FAILED));
    }

    /** Drops the {@linkplain #markSpawnFailed failed} mark (the instance was finished since). */
    public void clearSpawnFailed(UUID uuid) {
        try {
            Files.deleteIfExists(dir(uuid).resolve(SPAWN_FAILED));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the failed-spawn marker of " + uuid, e);
        }
    }

    /**
     * Removes the instance directory and everything in it, unless it holds another host's instance ({@link #owner}:
     * a shared instances directory, the instance migrated there): that one is left, and false returned. A missing
     * directory is fine.
     */
    public boolean delete(UUID uuid) {
        Optional<String> owner = owner(uuid);
        if (owner.isPresent() && !owner.get().equals(host)) {
            log.info("instance directory {} holds {}'s instance (a migration took it there): left", dir(uuid),
                    owner.get());
            return false;
        }
        deleteOwned(uuid);
        return true;
    }

    /**
     * Removes the directory of an instance this host owns, whatever its records say: one that migrated here over a
     * shared directory before the owner was recorded still names the host it came from. A missing directory is fine.
     */
    public void deleteOwned(UUID uuid) {
        Path dir = dir(uuid);
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    if (exc != null) {
                        throw exc;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove instance directory " + dir, e);
        }
    }

    /** The uuids of the instance directories present (other entries are ignored). */
    public List<UUID> list() {
        List<UUID> result = new ArrayList<>();
        if (!Files.isDirectory(instancesDir)) {
            return result;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(instancesDir, Files::isDirectory)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                try {
                    UUID uuid = UUID.fromString(name);
                    if (uuid.toString().equals(name)) {
                        result.add(uuid);
                    }
                } catch (IllegalArgumentException notOurs) {
                    // not an instance directory of ours
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + instancesDir, e);
        }
        return result;
    }
}

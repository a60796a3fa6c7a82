package dev.computeagent.agent.state;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.hostio.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What a rebuild keeps in the instance directory while it runs: its {@link RebuildRecord}
 * ({@code .rebuild.json}) and the new disks made beside the old ones, {@code disk.rebuild},
 * {@code disk.eph0.rebuild} and {@code disk.config.rebuild}, each of which replaces the disk of its name in one
 * atomic rename ({@link #swap}). Every change is durable (fsync, atomic rename) before the call returns.
 */
public final class RebuildFiles {

    private static final String RECORD = ".rebuild.json";
    private static final String STAGED = ".rebuild";

    private final InstanceFiles files;

    public RebuildFiles(InstanceFiles files) {
        this.files = files;
    }

    /** The rebuild under way, if any. @throws UncheckedIOException unreadable */
    public Optional<RebuildRecord> record(UUID uuid) {
        Path file = files.dir(uuid).resolve(RECORD);
        try {
            return Optional.of(AgentJson.mapper().readValue(Files.readAllBytes(file), RebuildRecord.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the rebuild record of " + uuid, e);
        }
    }

    /** Stores {@code record} durably (replacing the previous one). @throws UncheckedIOException on failure */
    public void write(UUID uuid, RebuildRecord record) {
        try {
            AtomicFiles.write(files.dir(uuid).resolve(RECORD), AgentJson.mapper().writeValueAsBytes(record));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the rebuild record of " + uuid, e);
        }
    }

    /** Where the new version of {@code disk} (one of the instance's own disks) is made. */
    public static Path staged(Path disk) {
        return disk.resolveSibling(disk.getFileName() + STAGED);
    }

    /**
     * Moves every new disk made over the disk of its name (the old one is gone). Safe to run again after a
     * crash: what was moved is not staged any more.
     */
    public void swap(UUID uuid) {
        try {
            for (Path disk : ownDisks(uuid)) {
                if (Files.exists(staged(disk))) {
                    AtomicFiles.moveIntoPlace(staged(disk), disk);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot put the new disks of " + uuid + " in place", e);
        }
    }

    /** Removes the new disks made so far, then the record: the instance keeps its old disks. */
    public void rollBack(UUID uuid) {
        try {
            for (Path disk : ownDisks(uuid)) {
                Files.deleteIfExists(staged(disk));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the new disks of " + uuid, e);
        }
        finish(uuid);
    }

    /** Removes the record: the rebuild is over. */
    public void finish(UUID uuid) {
        try {
            Files.deleteIfExists(files.dir(uuid).resolve(RECORD));
            AtomicFiles.syncDirectory(files.dir(uuid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the rebuild record of " + uuid, e);
        }
    }

    private List<Path> ownDisks(UUID uuid) {
        return List.of(files.disk(uuid), files.ephemeralDisk(uuid), files.configDrive(uuid));
    }
}

package dev.computeagent.agent.state;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.hostio.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * What a resize keeps in the instance directory so that a revert can bring the instance back exactly as it
 * was, even after a crash: the {@link ResizeRecord} ({@code .resize.json}) and the old disks, a copy of the
 * root overlay {@code disk.pre-resize} (the overlay alone: it keeps its base) and the old ephemeral disk
 * {@code disk.eph0.pre-resize}. Every change is durable (fsync, atomic rename) before the call returns.
 */
public final class ResizeFiles {

    private static final String RECORD = ".resize.json";
    private static final String KEPT = ".pre-resize";

    private final InstanceFiles files;

    public ResizeFiles(InstanceFiles files) {
        this.files = files;
    }

    /** The resize under way or waiting for confirmation, if any. @throws UncheckedIOException unreadable */
    public Optional<ResizeRecord> record(UUID uuid) {
        Path file = files.dir(uuid).resolve(RECORD);
        try {
            return Optional.of(AgentJson.mapper().readValue(Files.readAllBytes(file), ResizeRecord.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the resize record of " + uuid, e);
        }
    }

    /** Stores {@code record} durably (replacing the previous one). @throws UncheckedIOException on failure */
    public void write(UUID uuid, ResizeRecord record) {
        try {
            AtomicFiles.write(files.dir(uuid).resolve(RECORD), AgentJson.mapper().writeValueAsBytes(record));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the resize record of " + uuid, e);
        }
    }

    /** Keeps the old disks: copies the root overlay, moves the ephemeral disk aside; what is kept already stays. */
    public void keepOldDisks(UUID uuid) {
        try {
            Path root = files.disk(uuid);
            Path keptRoot = kept(root);
            if (!Files.exists(keptRoot)) {
                AtomicFiles.create(keptRoot, tmp -> Files.copy(root, tmp));
            }
            Path eph = files.ephemeralDisk(uuid);
            Path keptEph = kept(eph);
            if (Files.exists(eph) && !Files.exists(keptEph)) {
                AtomicFiles.moveIntoPlace(eph, keptEph);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the disks of " + uuid + " for a revert", e);
        }
    }

    /**
     * Puts the kept disks back in place of the resized ones; an ephemeral disk the old size did not have
     * ({@code oldHadEphemeral} false) is removed. Safe to run again after a crash: what was put back already
     * is not kept any more.
     */
    public void restoreOldDisks(UUID uuid, boolean oldHadEphemeral) {
        try {
            Path root = files.disk(uuid);
            if (Files.exists(kept(root))) {
                AtomicFiles.moveIntoPlace(kept(root), root);
            }
            Path eph = files.ephemeralDisk(uuid);
            if (Files.exists(kept(eph))) {
                AtomicFiles.moveIntoPlace(kept(eph), eph);
            } else if (!oldHadEphemeral && Files.deleteIfExists(eph)) {
                AtomicFiles.syncDirectory(files.dir(uuid));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot put the old disks of " + uuid + " back", e);
        }
    }

    /** Removes the kept disks, then the record: the resize is over. */
    public void finish(UUID uuid) {
        try {
            Files.deleteIfExists(kept(files.disk(uuid)));
            Files.deleteIfExists(kept(files.ephemeralDisk(uuid)));
            Files.deleteIfExists(files.dir(uuid).resolve(RECORD));
            AtomicFiles.syncDirectory(files.dir(uuid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove what the resize of " + uuid + " kept", e);
        }
    }

    /** Where the copy of the old root overlay is kept until the resize is confirmed or reverted. */
    public Path keptRoot(UUID uuid) {
        return kept(files.disk(uuid));
    }

    private static Path kept(Path disk) {
        return disk.resolveSibling(disk.getFileName() + KEPT);
    }
}

package dev.computeagent.agent.recovery;

import dev.computeagent.agent.handler.SnapshotHandler;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.virt.ComputeDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up clean-up of what a {@code snapshot} cut by an agent kill left: the driver first undoes what its root
 * disk copy left in the instance's disk chain ({@link ComputeDriver#finishInterruptedCopy}: a running instance
 * left on the copy's temporary overlay gets it committed back), then the copies ({@code snapshot-<image
 * id>.qcow2} in the instance directory), which nothing uses any more, are removed. Until now only a re-sent
 * snapshot or a delete removed them. When the driver cannot undo its part, the copies stay (logged) for the next
 * start-up.
 */
public final class SnapshotLeftovers {

    private static final Logger log = LoggerFactory.getLogger(SnapshotLeftovers.class);
    private static final String GLOB = SnapshotHandler.COPY_PREFIX + "*.qcow2";

    private final ComputeDriver driver;
    private final InstanceFiles files;

    public SnapshotLeftovers(ComputeDriver driver, InstanceFiles files) {
        this.driver = driver;
        this.files = files;
    }

    /** Cleans up after the interrupted snapshots of instance {@code uuid}; returns the copies removed. */
    public List<Path> clean(UUID uuid) {
        try {
            driver.finishInterruptedCopy(uuid);
        } catch (RuntimeException e) {
            log.warn("instance {}: what an interrupted snapshot left in its disk chain cannot be undone now; its "
                    + "snapshot copies stay until the next start-up", uuid, e);
            return List.of();
        }
        List<Path> removed = new ArrayList<>();
        for (Path copy : copies(uuid)) {
            try {
                if (Files.deleteIfExists(copy)) {
                    removed.add(copy);
                    log.info("instance {}: removed {} left by an interrupted snapshot", uuid, copy.getFileName());
                }
            } catch (IOException e) {
                log.warn("instance {}: cannot remove {} left by an interrupted snapshot: {}", uuid, copy, e.toString());
            }
        }
        return removed;
    }

    private List<Path> copies(UUID uuid) {
        List<Path> copies = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(files.dir(uuid), GLOB)) {
            found.forEach(copies::add);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the directory of " + uuid, e);
        }
        return copies;
    }
}

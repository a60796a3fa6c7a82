package dev.computeagent.image.cache;

import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.inspect.FormatInspector;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the bases in use: follows the backing chain of every {@code instances/*}{@code /disk} and
 * {@code disk.*} (a rescue overlay, a root overlay kept for a resize's revert) by reading the qcow2 headers
 * (no process, and no clash with the locks of a running qemu).
 */
final class OverlayScanner {

    private static final Logger log = LoggerFactory.getLogger(OverlayScanner.class);
    private static final int MAX_CHAIN = 16;

    private final CacheLayout layout;
    private final FormatInspector inspector;

    OverlayScanner(CacheLayout layout, FormatInspector inspector) {
        this.layout = layout;
        this.inspector = inspector;
    }

    /** Names of the bases that some instance disk's backing chain reaches. */
    Set<String> basesInUse() {
        Set<String> used = new HashSet<>();
        Path instances = layout.instancesDir();
        if (!Files.isDirectory(instances)) {
            return used;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(instances, Files::isDirectory)) {
            for (Path dir : dirs) {
                try (DirectoryStream<Path> disks = Files.newDirectoryStream(dir, OverlayScanner::isInstanceDisk)) {
                    for (Path disk : disks) {
                        baseOf(disk).ifPresent(used::add);
                    }
                }
            }
        } catch (IOException e) {
            // not knowing what is in use must never turn into deleting it
            throw new ImageStorageException("cannot scan " + instances + " for overlays: " + e.getMessage(), e);
        }
        return used;
    }

    /**
     * The root overlay {@code disk} and its siblings {@code disk.*}: a rescue image's overlay
     * ({@code disk.rescue}), the root overlay a resize keeps for its revert ({@code disk.pre-resize}).
     */
    private static boolean isInstanceDisk(Path file) {
        String name = file.getFileName().toString();
        return (name.equals("disk") || name.startsWith("disk.")) && Files.isRegularFile(file);
    }

    private Optional<String> baseOf(Path disk) throws IOException {
        Path current = disk;
        for (int depth = 0; depth < MAX_CHAIN; depth++) {
            Optional<String> backing = inspector.qcow2BackingFile(current);
            if (backing.isEmpty()) {
                return Optional.empty();
            }
            Path next = current.getParent().resolve(backing.get()).normalize();
            if (layout.baseDir().equals(next.getParent()) && CacheLayout.isBaseName(next.getFileName().toString())) {
                return Optional.of(next.getFileName().toString());
            }
            current = next;
            if (!Files.isRegularFile(current)) {
                log.warn("backing file {} of {} is missing", current, disk);
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}

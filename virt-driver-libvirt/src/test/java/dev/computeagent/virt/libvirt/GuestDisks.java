package dev.computeagent.virt.libvirt;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A test's instance files in a 0755 directory under /var/tmp (QEMU runs as another user and must
 * traverse it; a JUnit temp dir is 0700): tiny-guest base images and qcow2 overlays made with the
 * real {@code qemu-img}, one sub-directory per instance with its console log.
 */
final class GuestDisks implements AutoCloseable {

    private final Path root;
    private final Path base;
    private final Path selfStoppingBase;

    GuestDisks() {
        try {
            root = Files.createTempDirectory(Path.of("/var/tmp"), "ca-driver-test-");
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        base = TinyGuestImage.write(root.resolve("base.raw"));
        selfStoppingBase = TinyGuestImage.write(root.resolve("base-stops.raw"), 2);
    }

    Path root() {
        return root;
    }

    Path base() {
        return base;
    }

    /** A qcow2 overlay on the ticking guest, in the instance's directory. */
    DiskSpec overlay(UUID uuid) {
        return overlayOn(base, uuid);
    }

    /** A qcow2 overlay on a guest that powers itself off after two ticks. */
    DiskSpec selfStoppingOverlay(UUID uuid) {
        return overlayOn(selfStoppingBase, uuid);
    }

    DiskSpec overlayOn(Path backing, UUID uuid) {
        return overlayOn(backing, "raw", uuid);
    }

    /** A qcow2 overlay on {@code backing} of {@code backingFormat} ({@code raw} or {@code qcow2}). */
    DiskSpec overlayOn(Path backing, String backingFormat, UUID uuid) {
        Path disk = instanceDir(uuid).resolve("disk");
        Commands.check(Duration.ofSeconds(20), "qemu-img", "create", "-q", "-f", "qcow2", "-F", backingFormat,
                "-b", backing.toString(), disk.toString());
        return DiskSpec.qcow2Root(disk);
    }

    Path instanceDir(UUID uuid) {
        Path dir = root.resolve(uuid.toString());
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    Path consoleLog(UUID uuid) {
        return instanceDir(uuid).resolve("console.log");
    }

    /** How often the guest printed its boot marker into the console log so far. */
    int bootCount(UUID uuid) {
        return count(uuid, TinyGuestImage.BOOT_MARKER);
    }

    int count(UUID uuid, String marker) {
        Path log = consoleLog(uuid);
        if (!Files.exists(log)) {
            return 0;
        }
        try {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            int count = 0;
            for (int at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length())) {
                count++;
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void deleteInstance(UUID uuid) {
        deleteTree(root.resolve(uuid.toString()));
    }

    @Override
    public void close() {
        deleteTree(root);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

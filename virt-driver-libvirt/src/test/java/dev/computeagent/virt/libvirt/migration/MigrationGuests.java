package dev.computeagent.virt.libvirt.migration;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Instance files for migration tests: a tiny-guest base per directory and qcow2 overlays on it. */
final class MigrationGuests {

    private MigrationGuests() {
    }

    /** {@code dir/base.raw} (the ticking guest), written once. */
    static Path base(Path dir) {
        Path base = dir.resolve("base.raw");
        if (!Files.exists(base)) {
            TinyGuestImage.write(base);
        }
        return base;
    }

    /** An empty qcow2 overlay {@code dir/<uuid>/disk} over {@code dir/base.raw}, replacing any old one. */
    static DiskSpec overlay(Path dir, UUID uuid) {
        Path disk = instanceDir(dir, uuid).resolve("disk");
        try {
            Files.deleteIfExists(disk);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", base(dir).toString(), disk.toString());
        return DiskSpec.qcow2Root(disk);
    }

    static Path instanceDir(Path dir, UUID uuid) {
        Path instance = dir.resolve(uuid.toString());
        try {
            return Files.createDirectories(instance);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path consoleLog(Path dir, UUID uuid) {
        return instanceDir(dir, uuid).resolve("console.log");
    }

    static InstanceSpec spec(UUID uuid, DiskSpec disk, Path consoleLog) {
        InstanceMetadata metadata = new InstanceMetadata("migrating guest", new Flavor(1, 64, 0, 0), "tiny-guest",
                "host-a", Map.of(), Map.of());
        return new InstanceSpec(uuid, metadata, List.of(disk), List.of(), consoleLog, false);
    }

    /** Runs a helper command (argument list, no shell) and fails on a non-zero exit or after 30 s. */
    static void run(String... command) {
        Commands.check(Duration.ofSeconds(30), command);
    }
}

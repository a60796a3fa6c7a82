package dev.computeagent.agent.testing;

import dev.computeagent.virt.testing.Prerequisites;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A small ext4 file system of the test's own (a file on a loop device, mounted under a temporary
 * directory) whose host can lose power: {@link #powerLoss()} shuts the file system down at once, as a
 * power cut does ({@code xfs_io -x -c shutdown}: whatever is not on disk yet is lost, nothing more is
 * written), then mounts it again, so the test sees what a host would after rebooting. Needs root,
 * util-linux ({@code losetup}, {@code mount}), e2fsprogs and xfsprogs ({@code xfs_io}, whose shutdown
 * works on ext4); missing, it fails under {@code CI=true} and skips elsewhere.
 */
public final class Ext4PowerLoss implements AutoCloseable {

    private final Path dir;
    private final Path image;
    private final Path mountPoint;
    private String device;
    private boolean mounted;

    private Ext4PowerLoss(Path dir) {
        this.dir = dir;
        this.image = dir.resolve("fs.img");
        this.mountPoint = dir.resolve("mnt");
    }

    /** Creates, formats and mounts a 128 MiB ext4 file system. */
    public static Ext4PowerLoss mount() {
        Prerequisites.require("a loop-mounted ext4 that can lose power (root, losetup, mkfs.ext4, xfs_io)",
                "root".equals(System.getProperty("user.name")) && Prerequisites.commandSucceeds("losetup", "--version")
                        && Prerequisites.commandSucceeds("mkfs.ext4", "-V")
                        && Prerequisites.commandSucceeds("xfs_io", "-V"),
                "run as root; apt-get install util-linux e2fsprogs xfsprogs");
        try {
            // under /var/tmp: /tmp may be a tmpfs, where the image would take memory
            Ext4PowerLoss fs = new Ext4PowerLoss(Files.createTempDirectory(Path.of("/var/tmp"), "ext4-power-loss-"));
            try (RandomAccessFile file = new RandomAccessFile(fs.image.toFile(), "rw")) {
                file.setLength(128L << 20);
            }
            Virsh.run("mkfs.ext4", "-q", "-F", fs.image.toString());
            fs.device = Virsh.run("losetup", "-f", "--show", fs.image.toString()).trim();
            Files.createDirectories(fs.mountPoint);
            fs.mountNow();
            return fs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the ext4 file system", e);
        }
    }

    /** Where the file system is mounted. */
    public Path root() {
        return mountPoint;
    }

    /**
     * Cuts the power: the file system stops at once (nothing not yet on disk is written any more, every
     * later access fails); processes writing there should be killed before {@link #reboot()}.
     */
    public void cut() {
        Virsh.run("xfs_io", "-x", "-c", "shutdown", mountPoint.toString());
    }

    /** Unmounts the file system that lost power and mounts it again (the journal is replayed). */
    public void reboot() {
        Virsh.run("umount", mountPoint.toString());
        mounted = false;
        mountNow();
    }

    /** {@link #cut()} then {@link #reboot()}. */
    public void powerLoss() {
        cut();
        reboot();
    }

    @Override
    public void close() {
        try {
            if (mounted) {
                Virsh.run("umount", mountPoint.toString());
            }
            if (device != null) {
                Virsh.run("losetup", "-d", device);
            }
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + dir, e);
            }
        }
    }

    private void mountNow() {
        Virsh.run("mount", "-t", "ext4", device, mountPoint.toString());
        mounted = true;
    }
}

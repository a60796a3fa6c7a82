package dev.computeagent.agent.testing;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.testing.Prerequisites;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small ext4 file system of the test's own (a file on a loop device, mounted under a temporary
 * directory) whose host can lose power: {@link #powerLoss()} shuts the file system down at once, as a
 * power cut does ({@code xfs_io -x -c shutdown}: whatever is not on disk yet is lost, nothing more is
 * written), then mounts the disk as it was left, so the test sees what a host would after rebooting. Needs root,
 * util-linux ({@code losetup}, {@code mount}), e2fsprogs and xfsprogs ({@code xfs_io}, whose shutdown
 * works on ext4); missing, it fails under {@code CI=true} and skips elsewhere.
 */
public final class Ext4PowerLoss implements AutoCloseable {

    private final Path dir;
    private final Path mountPoint;
    private Path image;
    private String device;
    private boolean mounted;
    private int reboots;

    private Ext4PowerLoss(Path dir) {
        this.dir = dir;
        this.image = dir.resolve("disk-0.img");
        this.mountPoint = dir.resolve("mnt");
    }

    /** Creates, formats and mounts a 64 MiB ext4 file system. */
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
                file.setLength(64L << 20);
            }
            Commands.check("mkfs.ext4", "-q", "-F", fs.image.toString());
            Files.createDirectories(fs.mountPoint);
            fs.attachAndMount();
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
        Commands.check("xfs_io", "-x", "-c", "shutdown", mountPoint.toString());
    }

    /**
     * Mounts the disk as the power cut left it (the journal is replayed). A copy of it, on a new loop
     * device: a mount namespace created meanwhile (by any process on the machine) holds a copy of the
     * old mount, which then keeps the shut-down file system alive after our unmount, and a new mount of
     * the same device would be that one again.
     */
    public void reboot() {
        Commands.check("umount", mountPoint.toString());
        mounted = false;
        Commands.check("losetup", "-d", device);
        device = null;
        Path copy = dir.resolve("disk-" + (++reboots) + ".img");
        Commands.check("cp", "--sparse=always", image.toString(), copy.toString());
        try {
            Files.delete(image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + image, e);
        }
        image = copy;
        attachAndMount();
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
                Commands.check("umount", mountPoint.toString());
            }
            if (device != null) {
                Commands.check("losetup", "-d", device);
            }
        } finally {
            TestFiles.deleteTree(dir);
        }
    }

    private void attachAndMount() {
        device = Commands.check("losetup", "-f", "--show", image.toString()).trim();
        Commands.check("mount", "-t", "ext4", device, mountPoint.toString());
        mounted = true;
    }
}

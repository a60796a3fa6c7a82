package dev.computeagent.image.cache;

import dev.computeagent.hostio.AtomicFiles;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.ImageTooLargeException;
import dev.computeagent.image.Overlay;
import dev.computeagent.image.inspect.FormatInspector;
import dev.computeagent.image.qemu.EmptyQcow2;
import dev.computeagent.image.qemu.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Makes instance disks: a qcow2 overlay over a committed base (called with the base's lock held), or an
 * empty qcow2 disk, both written directly ({@link EmptyQcow2}: what {@code qemu-img create} writes, without its
 * process start on the spawn's path); each is created under a temporary name and renamed into place, so a
 * failure leaves nothing. Grows an instance's qcow2 disk (a resize, with {@code qemu-img}).
 */
final class OverlayMaker {

    private final FormatInspector inspector;
    private final QemuImg qemuImg;

    OverlayMaker(FormatInspector inspector, QemuImg qemuImg) {
        this.inspector = inspector;
        this.qemuImg = qemuImg;
    }

    Overlay make(CachedImage base, Path overlay, long sizeBytes) {
        if (sizeBytes > 0 && base.virtualSize() > sizeBytes) {
            throw new ImageTooLargeException("image " + base.imageId() + " has virtual size " + base.virtualSize()
                    + " bytes, larger than the requested disk of " + sizeBytes + " bytes");
        }
        long size = sizeBytes > 0 ? sizeBytes : base.virtualSize();
        try {
            if (Files.exists(overlay)) {
                return reuse(base, overlay);
            }
            Files.createDirectories(overlay.getParent());
            EmptyQcow2 image = EmptyQcow2.over(base.path().toAbsolutePath(), base.format(), size);
            AtomicFiles.create(overlay, image::writeTo);
            return new Overlay(overlay, base, image.imageSize(), false);
        } catch (IOException e) {
            throw new ImageStorageException("cannot create overlay " + overlay + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes an empty qcow2 disk without backing file; an existing one of that size is reused, anything
     * else at that path is left untouched and refused.
     *
     * @return whether an existing disk was reused
     */
    boolean makeBlank(Path disk, long sizeBytes) {
        try {
            if (Files.exists(disk)) {
                Optional<Long> virtualSize = inspector.qcow2VirtualSize(disk);
                if (inspector.qcow2BackingFile(disk).isPresent() || !virtualSize.equals(Optional.of(sizeBytes))) {
                    throw new ImageStorageException("disk " + disk + " exists but is not an empty qcow2 disk of "
                            + sizeBytes + " bytes (virtual size: " + virtualSize.map(String::valueOf).orElse("none")
                            + "); not overwritten");
                }
                return true;
            }
            Files.createDirectories(disk.getParent());
            AtomicFiles.create(disk, EmptyQcow2.blank(sizeBytes)::writeTo);
            return false;
        } catch (IOException e) {
            throw new ImageStorageException("cannot create disk " + disk + ": " + e.getMessage(), e);
        }
    }

    /** Grows the qcow2 {@code disk} to {@code sizeBytes}; one already that large is left as it is. */
    void grow(Path disk, long sizeBytes) {
        if (virtualSize(disk) < sizeBytes) {
            qemuImg.grow(disk, sizeBytes);
        }
    }

    /** The virtual size of the qcow2 {@code disk}. @throws ImageStorageException it is not a readable qcow2 */
    long virtualSize(Path disk) {
        try {
            return inspector.qcow2VirtualSize(disk).orElseThrow(
                    () -> new ImageStorageException("disk " + disk + " is not a qcow2 image"));
        } catch (IOException e) {
            throw new ImageStorageException("cannot read disk " + disk + ": " + e.getMessage(), e);
        }
    }

    private Overlay reuse(CachedImage base, Path overlay) throws IOException {
        Optional<String> backing = inspector.qcow2BackingFile(overlay);
        Path expected = base.path().toAbsolutePath().normalize();
        if (backing.isEmpty()
                || !overlay.toAbsolutePath().getParent().resolve(backing.get()).normalize().equals(expected)) {
            throw new ImageStorageException("overlay " + overlay + " exists but is not backed by " + expected
                    + " (backing: " + backing.orElse("none") + "); not overwritten");
        }
        long virtualSize = inspector.qcow2VirtualSize(overlay).orElse(base.virtualSize());
        return new Overlay(overlay, base, virtualSize, true);
    }
}

package dev.computeagent.image.cache;

import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.ImageTooLargeException;
import dev.computeagent.image.Overlay;
import dev.computeagent.image.inspect.FormatInspector;
import dev.computeagent.image.qemu.QemuImg;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Makes an instance disk: a qcow2 overlay over a committed base, created under a temporary name and
 * renamed into place, so a failure leaves nothing. Called with the base's lock held.
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
            Files.createDirectories(overlay.toAbsolutePath().getParent());
            Path tmp = overlay.resolveSibling(overlay.getFileName() + ".part");
            Files.deleteIfExists(tmp);
            try {
                qemuImg.createOverlay(base.path(), base.format(), tmp, size);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                BaseEntries.moveAtomically(tmp, overlay);
            } finally {
                Files.deleteIfExists(tmp);
            }
            long virtualSize = inspector.qcow2VirtualSize(overlay).orElse(size);
            return new Overlay(overlay, base, virtualSize, false);
        } catch (IOException e) {
            throw new ImageStorageException("cannot create overlay " + overlay + ": " + e.getMessage(), e);
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

package dev.computeagent.image.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.ImageTooLargeException;
import dev.computeagent.image.Overlay;
import dev.computeagent.image.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Instance disks: qcow2 overlays over cached bases, made and checked with the real qemu-img. */
class OverlayQemuImgTest {

    private static final long GIB = 1L << 30;

    @TempDir
    Path store;
    @TempDir
    Path stateDir;
    private Path disk;

    @BeforeEach
    void images() {
        TestImages.requireQemuImg();
        TestImages.qcow2(store.resolve("cirros"), 1 << 20);
        disk = stateDir.resolve("instances/8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a/disk");
    }

    private ImageCache open(boolean forceRaw) {
        return ImageCaches.open(new ImageCacheSettings(stateDir, store.toUri(), Optional.empty(), forceRaw,
                Duration.ofHours(24), Optional.empty(), Duration.ofSeconds(5), 2,
                ImageCacheSettings.DEFAULT_MIN_DOWNLOAD_RATE));
    }

    @Test
    void overlayIsAQcow2BackedByTheCachedBaseWithTheRequestedSize() {
        try (ImageCache cache = open(true)) {
            Overlay overlay = cache.createOverlay("cirros", disk, GIB);
            assertThat(overlay.reused()).isFalse();
            assertThat(overlay.virtualSize()).isEqualTo(GIB);
            assertThat(overlay.path()).isEqualTo(disk);
            String info = TestImages.qemuImg("info", "--output=json", "-f", "qcow2", disk.toString());
            assertThat(info).contains("\"backing-filename\": \"" + overlay.base().path() + "\"",
                    "\"backing-filename-format\": \"raw\"", "\"virtual-size\": " + GIB);
            assertThat(Files.list(disk.getParent()).map(p -> p.getFileName().toString())).containsExactly("disk");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void sizeZeroMeansTheImagesVirtualSize() {
        try (ImageCache cache = open(true)) {
            assertThat(cache.createOverlay("cirros", disk, 0).virtualSize()).isEqualTo(1 << 20);
        }
    }

    @Test
    void qcow2BaseIsNamedAsQcow2BackingFormatWhenNotConverted() {
        try (ImageCache cache = open(false)) {
            Overlay overlay = cache.createOverlay("cirros", disk, GIB);
            assertThat(overlay.base().format()).isEqualTo("qcow2");
            assertThat(TestImages.qemuImg("info", "--output=json", "-f", "qcow2", disk.toString()))
                    .contains("\"backing-filename-format\": \"qcow2\"");
        }
    }

    @Test
    void existingOverlayOverTheSameBaseIsReusedNotOverwritten() throws Exception {
        try (ImageCache cache = open(true)) {
            cache.createOverlay("cirros", disk, GIB);
            TestImages.qemuImg("resize", "-f", "qcow2", disk.toString(), "2G"); // a change we must not lose
            byte[] before = Files.readAllBytes(disk);
            Overlay again = cache.createOverlay("cirros", disk, GIB);
            assertThat(again.reused()).isTrue();
            assertThat(again.virtualSize()).isEqualTo(2 * GIB);
            assertThat(Files.readAllBytes(disk)).isEqualTo(before);
        }
    }

    @Test
    void existingFileThatIsNotAnOverlayOfThatBaseIsLeftAloneAndRefused() throws Exception {
        Files.createDirectories(disk.getParent());
        Files.writeString(disk, "someone else's disk");
        try (ImageCache cache = open(true)) {
            assertThatThrownBy(() -> cache.createOverlay("cirros", disk, GIB))
                    .isInstanceOf(ImageStorageException.class).hasMessageContaining("not overwritten");
        }
        assertThat(Files.readString(disk)).isEqualTo("someone else's disk");
    }

    @Test
    void diskSmallerThanTheImageIsTooLargeAndLeavesNoOverlay() {
        try (ImageCache cache = open(true)) {
            CachedImage base = cache.fetch("cirros");
            assertThatThrownBy(() -> cache.createOverlay("cirros", disk, base.virtualSize() - 512))
                    .isInstanceOf(ImageTooLargeException.class);
            assertThat(disk).doesNotExist();
            assertThat(disk.resolveSibling("disk.part")).doesNotExist();
        }
    }

    @Test
    void blankDiskIsAnEmptyQcow2WithoutBackingOfTheRequestedSize() throws Exception {
        Path eph = disk.resolveSibling("disk.eph0");
        try (ImageCache cache = open(true)) {
            cache.createBlankDisk(eph, 2 * GIB);
        }
        String info = TestImages.qemuImg("info", "--output=json", "-f", "qcow2", eph.toString());
        assertThat(info).contains("\"virtual-size\": " + 2 * GIB).doesNotContain("backing-filename");
        assertThat(Files.size(eph)).isLessThan(1 << 20);
        assertThat(eph.resolveSibling("disk.eph0.part")).doesNotExist();
    }

    @Test
    void existingBlankDiskOfThatSizeIsReusedNotOverwritten() throws Exception {
        Path eph = disk.resolveSibling("disk.eph0");
        try (ImageCache cache = open(true)) {
            cache.createBlankDisk(eph, GIB);
            Commands.check(Duration.ofSeconds(30), "qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 64k", eph.toString());
            byte[] before = Files.readAllBytes(eph);
            cache.createBlankDisk(eph, GIB);
            assertThat(Files.readAllBytes(eph)).isEqualTo(before);
        }
    }

    @Test
    void blankDiskRefusesAnOverlayOrAnotherSizeAtItsPathAndLeavesThemAlone() throws Exception {
        try (ImageCache cache = open(true)) {
            cache.createOverlay("cirros", disk, GIB);
            byte[] overlay = Files.readAllBytes(disk);
            assertThatThrownBy(() -> cache.createBlankDisk(disk, GIB))
                    .isInstanceOf(ImageStorageException.class).hasMessageContaining("not overwritten");
            assertThat(Files.readAllBytes(disk)).isEqualTo(overlay);

            Path eph = disk.resolveSibling("disk.eph0");
            cache.createBlankDisk(eph, GIB);
            assertThatThrownBy(() -> cache.createBlankDisk(eph, 2 * GIB))
                    .isInstanceOf(ImageStorageException.class).hasMessageContaining("virtual size: " + GIB);
            assertThatThrownBy(() -> cache.createBlankDisk(eph, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}

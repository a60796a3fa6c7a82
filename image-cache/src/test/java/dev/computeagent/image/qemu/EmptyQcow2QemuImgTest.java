package dev.computeagent.image.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.image.testing.TestImages;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The qcow2 images written without {@code qemu-img} are the very bytes the real {@code qemu-img create} writes,
 * and QEMU uses them as it uses its own: checked, written to, read back through the backing file.
 */
class EmptyQcow2QemuImgTest {

    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;
    private Path base;

    @BeforeEach
    void baseImage() {
        TestImages.requireQemuImg();
        base = TestImages.raw(dir.resolve("base.raw"), 1 << 20);
    }

    @ParameterizedTest
    @ValueSource(longs = {512, 1_000_001, 64L << 20, GIB, GIB + 1, 20 * GIB, 16L << 40, 64L << 40})
    void anOverlayIsByteForByteWhatQemuImgCreates(long size) throws IOException {
        Path ours = dir.resolve("ours.qcow2");
        Path theirs = dir.resolve("theirs.qcow2");

        EmptyQcow2.over(base, "raw", size).writeTo(ours);
        TestImages.qemuImg("create", "-q", "-f", "qcow2", "-F", "raw", "-b", base.toString(), theirs.toString(),
                Long.toString(size));

        assertThat(Files.size(ours)).isEqualTo(Files.size(theirs));
        assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(theirs));
    }

    @ParameterizedTest
    @ValueSource(longs = {512, 1_000_001, GIB, 16L << 40})
    void aBlankImageIsByteForByteWhatQemuImgCreates(long size) throws IOException {
        Path ours = dir.resolve("ours.qcow2");
        Path theirs = dir.resolve("theirs.qcow2");

        EmptyQcow2.blank(size).writeTo(ours);
        TestImages.qemuImg("create", "-q", "-f", "qcow2", theirs.toString(), Long.toString(size));

        assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(theirs));
    }

    @Test
    void anOverlayOverAQcow2BaseWithALongPathIsWhatQemuImgCreates() throws IOException {
        Path deep = Files.createDirectories(dir.resolve("d".repeat(200)).resolve("e".repeat(200)));
        Path qcow2Base = TestImages.qcow2(deep.resolve("base-" + "x".repeat(100) + ".qcow2"), 1 << 20);
        Path ours = dir.resolve("ours.qcow2");
        Path theirs = dir.resolve("theirs.qcow2");

        EmptyQcow2.over(qcow2Base, "qcow2", 3 * GIB).writeTo(ours);
        TestImages.qemuImg("create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", qcow2Base.toString(),
                theirs.toString(), Long.toString(3 * GIB));

        assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(theirs));
    }

    @Test
    void qemuWritesToTheOverlayAndReadsTheRestThroughTheBackingFile() throws IOException {
        Path overlay = dir.resolve("overlay.qcow2");
        EmptyQcow2.over(base, "raw", GIB).writeTo(overlay);

        assertThat(TestImages.qemuImg("check", "-f", "qcow2", overlay.toString())).contains("No errors were found");
        assertThat(TestImages.qemuImg("compare", "-f", "raw", "-F", "qcow2", base.toString(), overlay.toString()))
                .contains("Images are identical");
        // clusters allocated far apart: new L2 tables and refcount entries the writer did not lay out itself
        List<String> io = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (long offset : new long[] {0, 700L << 20, GIB - (64 << 10)}) {
            io.addAll(List.of("-c", "write -P 0xab " + offset + " 64k"));
        }
        io.add(overlay.toString());
        Commands.check(io);

        assertThat(TestImages.qemuImg("check", "-f", "qcow2", overlay.toString())).contains("No errors were found");
        assertThat(Commands.check(List.of("qemu-io", "-f", "qcow2", "-c", "read -P 0xab " + (700L << 20) + " 64k",
                "-c", "read -P 0 " + (1L << 20) + " 64k", overlay.toString()))).doesNotContain("Pattern verification failed");
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws IOException {
        Path existing = Files.writeString(dir.resolve("existing"), "keep");

        assertThatThrownBy(() -> EmptyQcow2.blank(GIB).writeTo(existing)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(existing)).isEqualTo("keep");
    }

    @Test
    void shapesQemuWouldRefuseAreRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> EmptyQcow2.blank(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmptyQcow2.blank(EmptyQcow2.MAX_VIRTUAL_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmptyQcow2.over(Path.of("relative.raw"), "raw", GIB))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmptyQcow2.over(Path.of("/" + "a".repeat(1023)), "raw", GIB))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmptyQcow2.over(base, "raw -o x", GIB)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EmptyQcow2(GIB, Optional.of(base), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

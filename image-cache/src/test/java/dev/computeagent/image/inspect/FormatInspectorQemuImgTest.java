package dev.computeagent.image.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.image.ImageUnsafeException;
import dev.computeagent.image.testing.TestImages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Java inspector against files made by the real qemu-img. */
class FormatInspectorQemuImgTest {

    private final FormatInspector inspector = new FormatInspector();

    @TempDir
    Path dir;

    @BeforeAll
    static void qemuImg() {
        TestImages.requireQemuImg();
    }

    @Test
    void rawImageIsRawWithItsFileSizeAsVirtualSize() {
        Path raw = TestImages.raw(dir.resolve("a.raw"), 65536);
        assertThat(inspector.inspect(raw)).isEqualTo(new Inspection(ImageFormat.RAW, 65536));
    }

    @Test
    void plainQcow2IsQcow2WithItsHeaderVirtualSize() {
        Path qcow2 = TestImages.emptyQcow2(dir.resolve("a.qcow2"), 3L << 30);
        assertThat(inspector.inspect(qcow2)).isEqualTo(new Inspection(ImageFormat.QCOW2, 3L << 30));
    }

    @Test
    void qcow2Version2IsAccepted() {
        Path qcow2 = dir.resolve("v2.qcow2");
        TestImages.qemuImg("create", "-q", "-f", "qcow2", "-o", "compat=0.10", qcow2.toString(), "1M");
        assertThat(inspector.inspect(qcow2).format()).isEqualTo(ImageFormat.QCOW2);
    }

    @Test
    void qcow2WithABackingFileIsRefused() throws IOException {
        Path evil = TestImages.qcow2WithBackingFile(dir.resolve("evil.qcow2"), "/etc/passwd");
        assertThatThrownBy(() -> inspector.inspect(evil)).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("backing file");
        assertThat(inspector.qcow2BackingFile(evil)).contains("/etc/passwd");
    }

    @Test
    void qcow2WithAnExternalDataFileIsRefused() {
        Path evil = TestImages.qcow2WithDataFile(dir.resolve("evil.qcow2"), dir.resolve("data.raw").toString());
        assertThatThrownBy(() -> inspector.inspect(evil)).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("data file");
    }

    @Test
    void qcow2WithAnUnknownVersionIsRefused() throws IOException {
        Path qcow2 = TestImages.emptyQcow2(dir.resolve("v4.qcow2"), 1 << 20);
        patchInt(qcow2, 4, 4);
        assertThatThrownBy(() -> inspector.inspect(qcow2)).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("version 4");
    }

    @Test
    void qcow2WithAnUnknownIncompatibleFeatureIsRefused() throws IOException {
        Path qcow2 = TestImages.emptyQcow2(dir.resolve("feature.qcow2"), 1 << 20);
        patchLong(qcow2, 72, 1L << 9);
        assertThatThrownBy(() -> inspector.inspect(qcow2)).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("unknown incompatible features 0x200");
    }

    @ParameterizedTest
    @CsvSource({"vmdk,vmdk", "vpc,vpc", "vhdx,vhdx", "vdi,vdi", "qed,qed"})
    void otherFormatsMadeByQemuImgAreRecognisedAndRefused(String qemuFormat, String reported) {
        Path image = dir.resolve("image." + qemuFormat);
        TestImages.qemuImg("create", "-q", "-f", qemuFormat, image.toString(), "8M");
        assertThatThrownBy(() -> inspector.inspect(image)).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("image is " + reported);
    }

    @Test
    void fixedVhdIsRecognisedByItsFooter() {
        Path image = dir.resolve("fixed.vhd");
        TestImages.qemuImg("create", "-q", "-f", "vpc", "-o", "subformat=fixed", image.toString(), "8M");
        assertThatThrownBy(() -> inspector.inspect(image)).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("image is vpc");
    }

    @Test
    void isoAndLuksAreRecognisedAndRefused() throws IOException {
        Path iso = TestImages.raw(dir.resolve("cd.iso"), 64 * 1024);
        patchBytes(iso, 0x8001, "CD001".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> inspector.inspect(iso)).hasMessageContaining("image is iso");
        Path luks = TestImages.raw(dir.resolve("disk.luks"), 4096);
        patchBytes(luks, 0, new byte[] {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe});
        assertThatThrownBy(() -> inspector.inspect(luks)).hasMessageContaining("image is luks");
    }

    @Test
    void truncatedQcow2HeaderIsRefused() throws IOException {
        Path qcow2 = TestImages.emptyQcow2(dir.resolve("short.qcow2"), 1 << 20);
        byte[] head = new byte[40];
        try (var in = Files.newInputStream(qcow2)) {
            in.readNBytes(head, 0, 40);
        }
        Files.write(qcow2, head);
        assertThatThrownBy(() -> inspector.inspect(qcow2)).isInstanceOf(ImageUnsafeException.class)
                .hasMessageContaining("truncated");
    }

    private static void patchInt(Path file, long offset, int value) throws IOException {
        patchBytes(file, offset, ByteBuffer.allocate(4).putInt(value).array());
    }

    private static void patchLong(Path file, long offset, long value) throws IOException {
        patchBytes(file, offset, ByteBuffer.allocate(8).putLong(value).array());
    }

    private static void patchBytes(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }
}

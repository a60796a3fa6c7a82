package dev.computeagent.image.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.ImageConversionException;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.testing.TestImages;
import dev.computeagent.virt.testing.RealGuestImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a conversion's failure is classified, with the real qemu-img: whose fault it is. */
class QemuImgConvertQemuImgTest {

    @TempDir
    Path dir;

    @BeforeEach
    void requireQemuImg() {
        TestImages.requireQemuImg();
    }

    private static QemuImg withLimits(long cpuSeconds) {
        return new QemuImg(new ProcessRunner(), Duration.ofSeconds(30),
                new ConvertLimits(cpuSeconds, 0, 2L << 30, Map.of(), Duration.ofMinutes(2), Duration.ZERO));
    }

    @Test
    void aConversionKilledByItsCpuLimitIsTheHostsFailure() {
        // the compressed cloud image needs ~4 s of CPU to become raw: one second kills it (SIGXCPU)
        assertThatThrownBy(() -> withLimits(1).convert(RealGuestImage.path(), "qcow2", dir.resolve("out.raw"), "raw",
                RealGuestImage.VIRTUAL_SIZE_BYTES))
                .isInstanceOf(ImageConversionException.class)
                .hasMessageContaining("was ended by signal")
                .hasMessageContaining("limits 1 s CPU")
                .satisfies(e -> assertThat(((ImageConversionException) e).retriable()).isTrue());
    }

    @Test
    void anErrorQemuImgReportsItselfStaysAStorageFailure() {
        Path notQcow2 = TestImages.raw(dir.resolve("plain.raw"), 4096);
        assertThatThrownBy(() -> withLimits(30).convert(notQcow2, "qcow2", dir.resolve("out.raw"), "raw", 4096))
                .isInstanceOf(ImageStorageException.class)
                .isNotInstanceOf(ImageConversionException.class)
                .hasMessageContaining("qemu-img convert qcow2 -> raw failed");
    }
}

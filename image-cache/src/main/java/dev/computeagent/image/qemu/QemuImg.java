package dev.computeagent.image.qemu;

import dev.computeagent.hostio.ProcessException;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.ImageConversionException;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.ImageUnsafeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code qemu-img} operations the cache needs, each under {@code prlimit} with a wall-clock timeout;
 * a failure carries qemu-img's stderr. {@code info} and {@code resize}, which read untrusted headers,
 * run under Nova's limits for {@code qemu-img info} (30 s CPU, 1 GiB address space); {@code convert}
 * runs under {@link ConvertLimits}, scaled by the image's size. New images are written without it
 * ({@link EmptyQcow2}).
 */
public final class QemuImg {

    private static final long CPU_SECONDS = 30;
    private static final long ADDRESS_SPACE = 1L << 30;
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final ProcessRunner runner;
    private final Duration timeout;
    private final ConvertLimits convertLimits;

    /**
     * @param timeout       wall-clock limit of {@code info} and {@code resize}
     * @param convertLimits what {@code convert} may use
     */
    public QemuImg(ProcessRunner runner, Duration timeout, ConvertLimits convertLimits) {
        this.runner = runner;
        this.timeout = timeout;
        this.convertLimits = convertLimits;
    }

    /**
     * {@code qemu-img info --output=json -f <format>}: the format is forced so qemu never probes.
     *
     * @throws ImageUnsafeException qemu-img cannot read the file as that format
     */
    public QemuImageInfo info(Path file, String format) {
        ProcessResult r = runLimited(List.of("qemu-img", "info", "--output=json", "-U", "-f", format,
                file.toString()));
        if (r.exitCode() != 0) {
            throw new ImageUnsafeException("qemu-img info refused the image as " + format + ": " + r.stderr());
        }
        try {
            JsonNode root = MAPPER.readTree(r.stdout());
            JsonNode dataFile = root.path("format-specific").path("data").path("data-file");
            JsonNode backing = root.path("backing-filename");
            return new QemuImageInfo(root.path("format").asString(""), root.path("virtual-size").asLong(-1),
                    backing.isString() ? Optional.of(backing.stringValue()) : Optional.empty(),
                    dataFile.isString() ? Optional.of(dataFile.stringValue()) : Optional.empty());
        } catch (JacksonException e) {
            throw new ImageStorageException("qemu-img info printed unreadable JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Converts {@code source}, an image of {@code virtualSize} bytes that passed {@link #info}, to a new
     * file {@code target}.
     *
     * @throws ImageConversionException a limit, the wall clock or a crash ended qemu-img, or it could not
     *                                  start: the host's failure
     * @throws ImageStorageException    qemu-img reported an error (no space left, an I/O error)
     */
    public void convert(Path source, String sourceFormat, Path target, String targetFormat, long virtualSize) {
        long cpuSeconds = convertLimits.cpuSeconds(virtualSize);
        String what = "qemu-img convert " + sourceFormat + " -> " + targetFormat;
        ProcessResult r;
        try {
            r = runner.run(List.of("qemu-img", "convert", "-q", "-f", sourceFormat, "-O", targetFormat,
                    source.toString(), target.toString()), cpuSeconds, convertLimits.addressSpaceBytes(),
                    convertLimits.environment(), convertLimits.timeout(virtualSize));
        } catch (ProcessException e) {
            throw new ImageConversionException(what + " did not finish: " + e.getMessage(), e);
        }
        if (r.endedBySignal()) {
            throw new ImageConversionException(what + " was ended by signal " + (r.exitCode() - 128) + " (limits "
                    + cpuSeconds + " s CPU, " + (convertLimits.addressSpaceBytes() >> 20) + " MiB address space): "
                    + r.stderr());
        }
        if (r.exitCode() != 0) {
            throw new ImageStorageException(what + " failed: " + r.stderr());
        }
    }

    /**
     * Grows the qcow2 image {@code disk} to {@code sizeBytes} ({@code qemu-img resize}; the guest sees the
     * new size at its next boot).
     *
     * @throws ImageStorageException on failure (the image keeps its size)
     */
    public void grow(Path disk, long sizeBytes) {
        ProcessResult r = runLimited(List.of("qemu-img", "resize", "-q", "-f", "qcow2", disk.toString(),
                Long.toString(sizeBytes)));
        if (r.exitCode() != 0) {
            throw new ImageStorageException("qemu-img resize of " + disk + " failed: " + r.stderr());
        }
    }

    /** {@code info} or {@code resize} under Nova's limits; not run to its end = the host's storage failing. */
    private ProcessResult runLimited(List<String> command) {
        try {
            return runner.run(command, CPU_SECONDS, ADDRESS_SPACE, timeout);
        } catch (ProcessException e) {
            throw new ImageStorageException(e.getMessage(), e);
        }
    }
}

package dev.computeagent.image.testing;

import dev.computeagent.hostio.testing.Commands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Builds real disk images for tests with the real {@code qemu-img}: good raw and qcow2 images and
 * hostile ones (backing file, external data file). {@link #requireQemuImg()} fails under
 * {@code CI=true} and skips elsewhere when qemu-img is missing.
 */
public final class TestImages {

    private TestImages() {
    }

    /** Skips the test (fails it under {@code CI=true}) when {@code qemu-img} is not installed. */
    public static void requireQemuImg() {
        boolean present = Commands.succeeds(Duration.ofSeconds(30), "qemu-img", "--version");
        String hint = "qemu-img is required: apt-get install qemu-utils";
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(hint);
        }
        Assumptions.assumeTrue(present, hint);
    }

    /** A raw image of {@code size} bytes with a recognisable, non-zero pattern. */
    public static Path raw(Path file, int size) {
        byte[] bytes = new byte[size];
        byte[] marker = ("COMPUTE-AGENT-TEST-IMAGE " + file.getFileName() + "\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i++) {
            bytes[i] = marker[i % marker.length];
        }
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A self-contained qcow2 holding the bytes of a fresh raw image of {@code size} bytes. */
    public static Path qcow2(Path file, int size) {
        Path raw = raw(file.resolveSibling(file.getFileName() + ".src.raw"), size);
        qemuImg("convert", "-f", "raw", "-O", "qcow2", raw.toString(), file.toString());
        deleteQuietly(raw);
        return file;
    }

    /** An empty qcow2 of {@code virtualSize} bytes (sparse: costs a few hundred KiB whatever the size). */
    public static Path emptyQcow2(Path file, long virtualSize) {
        qemuImg("create", "-q", "-f", "qcow2", file.toString(), Long.toString(virtualSize));
        return file;
    }

    /** A qcow2 whose header names {@code backingFile} (e.g. {@code /etc/passwd}) as raw backing file. */
    public static Path qcow2WithBackingFile(Path file, String backingFile) {
        qemuImg("create", "-q", "-f", "qcow2", "-u", "-F", "raw", "-b", backingFile, file.toString(), "1M");
        return file;
    }

    /** A qcow2 with an external data file (the data file is created next to it and then deleted). */
    public static Path qcow2WithDataFile(Path file, String dataFile) {
        qemuImg("create", "-q", "-f", "qcow2", "-o", "data_file=" + dataFile, file.toString(), "1M");
        return file;
    }

    /**
     * A sparse qcow2 of {@code virtualSize} bytes with 1 MiB of the byte {@code 0x5a} written at each of
     * {@code dataOffsets} (everything else unallocated).
     */
    public static Path sparseQcow2(Path file, long virtualSize, long... dataOffsets) {
        emptyQcow2(file, virtualSize);
        for (long offset : dataOffsets) {
            run("qemu-io", "-f", "qcow2", "-c", "write -q -P 0x5a " + offset + " 1M", file.toString());
        }
        return file;
    }

    /** Runs qemu-img with the arguments; fails on a non-zero exit with its output. */
    public static String qemuImg(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("qemu-img");
        argv.addAll(List.of(args));
        return run(argv.toArray(String[]::new));
    }

    private static String run(String... argv) {
        return Commands.check(argv);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temp file in a test directory is harmless
        }
    }
}

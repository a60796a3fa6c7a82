package dev.computeagent.image.store;

import dev.computeagent.hostio.ProcessException;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.ImageUploadException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * The MD5 and SHA-512 of an image file being uploaded (Glance's {@code checksum} and {@code os_hash_value}),
 * computed by coreutils' {@code md5sum} and {@code sha512sum} (both side by side, or the one needed): native code, where
 * the agent's own JIT (C1 only with the recommended JVM options) hashes several times slower and once held
 * an upload to twice {@code curl -T}'s time (benchmarks/snapshot.md). Each program gets a deadline and a CPU
 * limit that grow with the file, and a small address space.
 *
 * <p>Failure semantics: a program that cannot start, fails or runs past its deadline is a retriable
 * {@link ImageUploadException} naming it and its stderr; nothing is written anywhere.
 */
final class FileHashes {

    /** Slower than the slowest disk an upload is expected to read from: the deadline grows at this rate. */
    private static final long MIN_BYTES_PER_SECOND = 16L << 20;
    private static final long ADDRESS_SPACE = 256L << 20;
    private static final Duration BASE_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SHA512 = Pattern.compile("[0-9a-f]{128}");

    /** The two hashes, lower-case hex. */
    record Hashes(String md5, String sha512) {
    }

    private final ProcessRunner runner;

    FileHashes(ProcessRunner runner) {
        this.runner = runner;
    }

    /** Both hashes of {@code file} ({@code size} bytes, for the deadline), computed side by side. */
    Hashes of(Path file, long size) {
        CompletableFuture<String> md5 = CompletableFuture.supplyAsync(() -> md5(file, size));
        String sha512 = sha512(file, size);
        try {
            return new Hashes(md5.join(), sha512);
        } catch (CompletionException e) {
            throw e.getCause() instanceof ImageUploadException failure ? failure
                    : new ImageUploadException("cannot hash " + file + ": " + e.getCause(), e.getCause());
        }
    }

    /** The SHA-512 of {@code file} ({@code size} bytes, for the deadline). */
    String sha512(Path file, long size) {
        return hash("sha512sum", SHA512, file, size);
    }

    /** The MD5 of {@code file} ({@code size} bytes, for the deadline). */
    String md5(Path file, long size) {
        return hash("md5sum", MD5, file, size);
    }

    private String hash(String program, Pattern hex, Path file, long size) {
        Duration timeout = BASE_TIMEOUT.plusSeconds(size / MIN_BYTES_PER_SECOND);
        ProcessResult result;
        try {
            result = runner.run(List.of(program, "--", file.toString()), timeout.toSeconds(), ADDRESS_SPACE, timeout);
        } catch (ProcessException e) {
            throw new ImageUploadException("cannot hash " + file + " with " + program + ": " + e.getMessage(), e);
        }
        String first = result.stdout().isBlank() ? "" : result.stdout().strip().split("\\s+", 2)[0];
        if (result.exitCode() != 0 || !hex.matcher(first).matches()) {
            throw new ImageUploadException(program + " " + file + " failed with exit code " + result.exitCode()
                    + ": " + result.stderr().strip());
        }
        return first;
    }
}

package dev.computeagent.hostio.testing;

import dev.computeagent.hostio.ProcessException;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The tests' one way to run a command to its end (virsh, qemu-img, ip, docker, …): the project's own
 * {@link ProcessRunner} (argument list, no shell, timeout, output read while the command runs, so a
 * large output never blocks it), without resource limits. Programs a test keeps running in the
 * background (a broker, an agent JVM) are started by their own fixtures instead.
 */
public final class Commands {

    /** What a command of a test may take unless it says otherwise. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ProcessRunner RUNNER = new ProcessRunner();

    private Commands() {
    }

    /** Runs {@code argv} within {@code timeout}, whatever its exit code. @throws ProcessException not run to its end */
    public static ProcessResult run(Duration timeout, List<String> argv) {
        return RUNNER.run(argv, 0, 0, Map.of(), timeout);
    }

    /** {@link #run(Duration, List)} with {@code environment} added to this process's own. */
    public static ProcessResult run(Duration timeout, Map<String, String> environment, List<String> argv) {
        return RUNNER.run(argv, 0, 0, environment, timeout);
    }

    /** {@link #run(Duration, List)}. */
    public static ProcessResult run(Duration timeout, String... argv) {
        return run(timeout, List.of(argv));
    }

    /**
     * Runs {@code argv}, which must exit 0, within {@code timeout}.
     *
     * @return its standard output (stripped)
     * @throws IllegalStateException it exited otherwise (the message has its exit code, stderr and stdout)
     * @throws ProcessException      it did not run to its end
     */
    public static String check(Duration timeout, List<String> argv) {
        return requireSuccess(argv, run(timeout, argv));
    }

    /** {@link #check(Duration, List)}. */
    public static String check(Duration timeout, String... argv) {
        return check(timeout, List.of(argv));
    }

    /** {@link #check(Duration, List)} within {@link #TIMEOUT}. */
    public static String check(String... argv) {
        return check(TIMEOUT, List.of(argv));
    }

    /** {@link #check(Duration, List)} within {@link #TIMEOUT}. */
    public static String check(List<String> argv) {
        return check(TIMEOUT, argv);
    }

    /** {@link #check(Duration, List)} with {@code environment} added to this process's own. */
    public static String check(Duration timeout, Map<String, String> environment, List<String> argv) {
        return requireSuccess(argv, run(timeout, environment, argv));
    }

    /** Whether {@code argv} starts and exits 0 within {@code timeout}; never throws. */
    public static boolean succeeds(Duration timeout, String... argv) {
        try {
            return run(timeout, argv).exitCode() == 0;
        } catch (ProcessException e) {
            return false;
        }
    }

    /**
     * Runs {@code argv}, which must exit 0, within {@code timeout}, and returns its standard output byte
     * for byte (binary output, e.g. a file extracted from an image), unbounded: the output goes to a
     * temporary file, never through a pipe, so the command never blocks on it.
     *
     * @throws IllegalStateException it exited otherwise, ran past {@code timeout} (it is killed) or could not start
     */
    public static byte[] output(Duration timeout, List<String> argv) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("command-", ".out");
            err = Files.createTempFile("command-", ".err");
            Process process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " timed out after " + timeout);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", argv) + " exited " + process.exitValue() + ": "
                        + Files.readString(err, StandardCharsets.UTF_8).strip());
            }
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", argv), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }

    private static String requireSuccess(List<String> argv, ProcessResult r) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr()
                    + (r.stdout().isEmpty() ? "" : "\n" + r.stdout()));
        }
        return r.stdout();
    }
}

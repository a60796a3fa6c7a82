package dev.computeagent.hostio;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one way the project runs an external program: from an argument list (never a shell), with
 * standard input from {@code /dev/null}, under {@code prlimit} resource limits when any are given, with
 * a wall-clock timeout, stdout and stderr captured (each up to 1 MiB; the rest is read and dropped, so
 * a chatty program never blocks on a full pipe). Thread-safe.
 *
 * <p>Failure semantics: a program that ran and exited is a {@link ProcessResult} whatever its exit code
 * (the caller decides what a code means); one that could not be started, ran past its timeout (it and
 * its descendants are killed; a timeout of zero or less is expired before the program starts) or whose output
 * could not be read is a {@link ProcessException}.
 */
public final class ProcessRunner {

    private static final int MAX_CAPTURE = 1 << 20;
    private static final File DEV_NULL = new File("/dev/null");

    /** {@code command} without resource limits, within {@code timeout}. */
    public ProcessResult run(List<String> command, Duration timeout) {
        return run(command, 0, 0, Map.of(), timeout);
    }

    /**
     * Runs {@code command} limited to {@code cpuSeconds} CPU time and {@code addressSpaceBytes} of
     * address space (0 = unlimited).
     *
     * @throws ProcessException it could not start, or ran past {@code timeout} (it is killed)
     */
    public ProcessResult run(List<String> command, long cpuSeconds, long addressSpaceBytes, Duration timeout) {
        return run(command, cpuSeconds, addressSpaceBytes, Map.of(), timeout);
    }

    /**
     * As {@link #run(List, long, long, Duration)}, with {@code environment} added to this process's own.
     *
     * @throws ProcessException it could not start, or ran past {@code timeout} (it is killed)
     */
    public ProcessResult run(List<String> command, long cpuSeconds, long addressSpaceBytes,
                             Map<String, String> environment, Duration timeout) {
        String name = command.get(0);
        if (timeout.isZero() || timeout.isNegative()) {
            // no time at all: timed out before it could run, whatever the race between start and wait would say
            throw new ProcessException(String.join(" ", command.subList(0, Math.min(2, command.size())))
                    + " timed out after " + timeout + " (not started)", true, null);
        }
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(argv(command, cpuSeconds, addressSpaceBytes))
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new ProcessException("cannot start " + name + ": " + e.getMessage(), false, e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new ProcessException(String.join(" ", command.subList(0, Math.min(2, command.size())))
                        + " timed out after " + timeout + "; stderr: " + err.getNow(""), true, null);
            }
            return new ProcessResult(process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new ProcessException("interrupted while running " + name, false, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ProcessException("cannot read the output of " + name + ": " + e, false, e);
        }
    }

    private static List<String> argv(List<String> command, long cpuSeconds, long addressSpaceBytes) {
        if (cpuSeconds <= 0 && addressSpaceBytes <= 0) {
            return command;
        }
        List<String> argv = new ArrayList<>();
        argv.add("prlimit");
        if (cpuSeconds > 0) {
            argv.add("--cpu=" + cpuSeconds);
        }
        if (addressSpaceBytes > 0) {
            argv.add("--as=" + addressSpaceBytes);
        }
        argv.add("--");
        argv.addAll(command);
        return argv;
    }

    /** The program and whatever it started (a shell's children, {@code ip netns exec}'s command). */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                byte[] bytes = in.readNBytes(MAX_CAPTURE);
                in.transferTo(OutputStream.nullOutputStream());
                result.complete(new String(bytes, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                result.complete("");
            }
        }, "process-output");
        t.setDaemon(true);
        t.start();
        return result;
    }
}

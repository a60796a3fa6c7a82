package dev.computeagent.image.qemu;

import dev.computeagent.image.ImageStorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program from an argument list (never a shell) under {@code prlimit} resource
 * limits, with a wall-clock timeout and captured stdout/stderr.
 */
public final class ProcessRunner {

    private static final int MAX_CAPTURE = 1 << 20;

    /**
     * Runs {@code command} limited to {@code cpuSeconds} CPU time and {@code addressSpaceBytes} of
     * address space (0 = unlimited).
     *
     * @throws ImageStorageException it could not start, or ran past {@code timeout} (it is killed)
     */
    public ProcessResult run(List<String> command, long cpuSeconds, long addressSpaceBytes, Duration timeout) {
        return run(command, cpuSeconds, addressSpaceBytes, Map.of(), timeout);
    }

    /**
     * As {@link #run(List, long, long, Duration)}, with {@code environment} added to this process's own.
     *
     * @throws ImageStorageException it could not start, or ran past {@code timeout} (it is killed)
     */
    public ProcessResult run(List<String> command, long cpuSeconds, long addressSpaceBytes,
                             Map<String, String> environment, Duration timeout) {
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
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(nullFile()));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new ImageStorageException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new ImageStorageException(String.join(" ", command.subList(0, Math.min(2, command.size())))
                        + " timed out after " + timeout
                        + "; stderr: " + err.getNow(""));
            }
            return new ProcessResult(process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ImageStorageException("interrupted while running " + command.get(0), e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new ImageStorageException("cannot read the output of " + command.get(0) + ": " + e, e);
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                byte[] bytes = in.readNBytes(MAX_CAPTURE);
                in.transferTo(OutputStreamSink.INSTANCE);
                result.complete(new String(bytes, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                result.complete("");
            }
        }, "process-output");
        t.setDaemon(true);
        t.start();
        return result;
    }

    /** Discards output beyond the capture limit so the child never blocks on a full pipe. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}

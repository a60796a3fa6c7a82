package dev.computeagent.agent.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent as an operator runs it: {@code java <jvm options> -jar compute-agent.jar} in its own
 * process, configured by environment variables (docs/configuration.md), on a free port. Knows how long it took to
 * become ready, its RSS, its Prometheus text, and stops it with SIGTERM (graceful), then SIGKILL.
 */
final class AgentJar implements AutoCloseable {

    private static final Pattern STARTED = Pattern.compile("Started \\S+ in ([0-9.]+) seconds");
    private final Process process;
    private final Path log;
    private final int port;
    private final long startNanos;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AgentJar(Process process, Path log, int port, long startNanos) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.startNanos = startNanos;
    }

    /** Starts the jar; {@link #awaitReady} says when it is usable. */
    static AgentJar start(Path jar, List<String> jvmOptions, Map<String, String> env, Path log) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        long t0 = System.nanoTime();
        return new AgentJar(pb.start(), log, port, t0);
    }

    /** Polls readiness every 10 ms; returns nanoseconds from process start to readiness UP. */
    long awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("agent exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(url("/actuator/health/readiness"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                    return System.nanoTime() - startNanos;
                }
            } catch (IOException notListeningYet) {
                // the web server is not up yet
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("agent not ready within " + timeout + ":\n" + Files.readString(log));
    }

    /** Spring's own "Started ComputeAgentApplication in X seconds", or NaN when not logged (yet). */
    double springStartedSeconds() throws IOException {
        Matcher m = STARTED.matcher(Files.readString(log));
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /**
     * VmRSS (or VmHWM for the peak) of the agent, in KiB: of the launched process and every process under it
     * (a plain {@code java -jar} launch runs the agent in a child JVM under a supervising one; both count).
     */
    long statusKiB(String field) throws IOException {
        long sum = 0;
        for (long pid : processTree()) {
            sum += statusKiB(pid, field);
        }
        return sum;
    }

    /** Pss (proportional set size: shared pages split between their users) of the process tree, in KiB. */
    long pssKiB() throws IOException {
        long sum = 0;
        for (long pid : processTree()) {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    sum += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return sum;
    }

    private static long statusKiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    /** How many processes the agent runs as (2 for a supervised plain {@code java -jar} launch). */
    int processes() {
        return processTree().size();
    }

    private List<Long> processTree() {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /**
     * CPU time (user + system, all threads, the whole process tree) the agent has used so far, in
     * nanoseconds: start-up work that does not depend on how many other processes compete for the cores.
     */
    long cpuNanos() throws IOException {
        long ticks = 0;
        for (long pid : processTree()) {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        }
        return ticks * 1_000_000_000L / 100; // USER_HZ is 100 on Linux
    }

    String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}

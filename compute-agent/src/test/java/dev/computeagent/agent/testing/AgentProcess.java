package dev.computeagent.agent.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The agent as a separate JVM ({@code ComputeAgentApplication} on the main classpath, without the
 * test classes), so a test can kill it for real (SIGKILL) and start it again on the same state.
 */
public final class AgentProcess implements AutoCloseable {

    private final List<String> command;
    private final Path log;
    private Process process;

    public AgentProcess(Map<String, String> properties, Path log) {
        this.log = log;
        command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the footprint a small host would give it: serial GC, bounded heap, code cache and stacks
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:ReservedCodeCacheSize=48m");
        command.add("-Xss512k");
        command.add("-cp");
        command.add(mainClasspath());
        command.add("dev.computeagent.agent.ComputeAgentApplication");
        properties.forEach((k, v) -> command.add("--" + k + "=" + v));
    }

    public AgentProcess start() throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return this;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no graceful anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM and wait for the graceful shutdown. Returns the exit code. */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            kill();
        }
    }

    /**
     * The test JVM's classpath without test classes (their Spring configurations would be picked up
     * by the application's component scan). Surefire may hide it in a manifest-only jar.
     */
    static String mainClasspath() {
        Set<String> entries = new LinkedHashSet<>();
        // under exec:java the application classpath lives in the context class loader only
        if (Thread.currentThread().getContextClassLoader() instanceof URLClassLoader urls
                && urls.getURLs().length > 1) {
            for (URL url : urls.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            entries.removeIf(e -> e.endsWith("test-classes") || e.endsWith("test-classes/"));
            return String.join(File.pathSeparator, entries);
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("surefirebooter") && entry.endsWith(".jar")) {
                entries.addAll(manifestClasspath(Path.of(entry)));
            } else {
                entries.add(entry);
            }
        }
        entries.removeIf(e -> e.endsWith("test-classes") || e.endsWith("test-classes/"));
        return String.join(File.pathSeparator, entries);
    }

    private static List<String> manifestClasspath(Path jar) {
        List<String> result = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String cp = manifest.getMainAttributes().getValue("Class-Path");
            for (String url : cp.trim().split("\\s+")) {
                result.add(Path.of(URI.create(url)).toString());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the surefire classpath jar " + jar, e);
        }
        return result;
    }
}

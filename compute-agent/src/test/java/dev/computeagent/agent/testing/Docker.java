package dev.computeagent.agent.testing;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The docker command line for tests (argument lists, a timeout each, stderr in every error). It is
 * Debian's {@code docker.io} client at {@code /usr/bin/docker} unless {@code DOCKER} names another:
 * that client builds with BuildKit by itself, where a newer client found first on the PATH may
 * need the buildx plugin. Testcontainers talks to the same daemon through its socket.
 */
public final class Docker {

    /** The docker client this class runs. */
    public static final String CLI = System.getenv().getOrDefault("DOCKER",
            Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker");

    private static final ProcessRunner RUNNER = new ProcessRunner();

    private Docker() {
    }

    /** Fails (CI=true) or skips the test unless a Docker engine answers. */
    public static void require() {
        Prerequisites.require("Docker engine (dockerd)", Prerequisites.commandSucceeds(CLI, "version"),
                "bash scripts/host-setup.sh (installs docker.io and starts dockerd)");
    }

    /** {@code docker args...}; its stdout, stripped. Fails with stderr when it exits non-zero. */
    public static String run(Duration timeout, String... args) {
        return run(timeout, Map.of(), List.of(args));
    }

    /** {@code docker args...} with extra environment variables (e.g. DOCKER_BUILDKIT=1). */
    public static String run(Duration timeout, Map<String, String> env, List<String> args) {
        ProcessResult result = tryRun(timeout, env, args);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("docker " + String.join(" ", args) + " exited with " + result.exitCode()
                    + ":\n" + tail(result.stderr()) + tail(result.stdout()));
        }
        return result.stdout().strip();
    }

    /** {@code docker args...}, whatever its exit code. */
    public static ProcessResult tryRun(Duration timeout, String... args) {
        return tryRun(timeout, Map.of(), List.of(args));
    }

    private static ProcessResult tryRun(Duration timeout, Map<String, String> env, List<String> args) {
        List<String> command = new ArrayList<>();
        if (!env.isEmpty()) {
            command.add("env");
            env.forEach((k, v) -> command.add(k + "=" + v));
        }
        command.add(CLI);
        command.addAll(args);
        return RUNNER.run(command, 0, 0, timeout);
    }

    /** {@code docker inspect --format FORMAT target}. */
    public static String inspect(String target, String format) {
        return run(Duration.ofSeconds(30), "inspect", "--format", format, target);
    }

    /** Removes a container and its anonymous volumes, if it exists. */
    public static void removeContainer(String name) {
        tryRun(Duration.ofSeconds(60), "rm", "--force", "--volumes", name);
    }

    private static String tail(String text) {
        return text.length() <= 8000 ? text : "…" + text.substring(text.length() - 8000);
    }
}

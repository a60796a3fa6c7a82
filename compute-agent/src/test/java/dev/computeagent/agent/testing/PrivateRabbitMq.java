package dev.computeagent.agent.testing;

import static org.awaitility.Awaitility.await;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.testing.Prerequisites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of the test's own, for tests that restart the broker or put it under a resource
 * alarm (never the shared broker on 5672): its own node name, AMQP and distribution ports on
 * 127.0.0.1, mnesia, logs, configuration and Erlang cookie in a temporary directory, no plugins. It runs
 * as a child process of the test JVM; {@link #close()} stops it and removes its directory.
 *
 * <p>Needs Debian's {@code rabbitmq-server} package ({@code /usr/lib/rabbitmq/bin}); missing, it fails
 * the test under {@code CI=true} and skips it elsewhere. Starting takes 5-15 s.
 */
public final class PrivateRabbitMq implements AutoCloseable {

    private static final Path BIN = Path.of("/usr/lib/rabbitmq/bin");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String node;
    private final int port;
    private final Map<String, String> environment = new HashMap<>();
    private Process server;
    private int starts;

    private PrivateRabbitMq(Path dir) throws IOException {
        this.dir = dir;
        this.node = "ca-test-" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
        this.port = freePort();
        Files.writeString(dir.resolve("enabled_plugins"), "[].");
        Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
        environment.put("HOME", dir.toString());
        environment.put("RABBITMQ_NODENAME", node);
        environment.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        environment.put("RABBITMQ_NODE_PORT", Integer.toString(port));
        environment.put("RABBITMQ_DIST_PORT", Integer.toString(freePort()));
        environment.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        environment.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        environment.put("RABBITMQ_PID_FILE", dir.resolve("node.pid").toString());
        // none of the machine's broker configuration: not its node name, listeners or plugins
        environment.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
        environment.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq").toString());
        environment.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
        environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        environment.put("ERL_EPMD_ADDRESS", "127.0.0.1");
    }

    /** Starts a node and returns once it accepts AMQP connections (user guest/guest from 127.0.0.1). */
    public static PrivateRabbitMq start() {
        Prerequisites.require("rabbitmq-server (to run a private node)",
                Files.isExecutable(BIN.resolve("rabbitmq-server")) && Files.isExecutable(BIN.resolve("rabbitmqctl")),
                "apt-get install rabbitmq-server");
        try {
            Path dir = Files.createTempDirectory("ca-rabbitmq-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            PrivateRabbitMq broker = new PrivateRabbitMq(dir);
            broker.startNode();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a private RabbitMQ node", e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** Stops the node (as {@code systemctl stop} would: clients see their connections closed). */
    public void stop() {
        rabbitmqctl("stop", dir.resolve("node.pid").toString());
        awaitExit();
    }

    /** Starts the stopped node again, with its data (durable queues and their messages). */
    public void startAgain() {
        startNode();
    }

    /** A broker restart: {@link #stop()}, then {@link #startAgain()}. */
    public void restart() {
        stop();
        startAgain();
    }

    /**
     * Raises (or clears) a memory alarm: while it is on, the broker blocks every connection that
     * publishes (RabbitMQ's strongest flow control); consuming and acknowledging go on.
     */
    public void memoryAlarm(boolean on) {
        if (on) {
            rabbitmqctl("set_vm_memory_high_watermark", "absolute", "1");
            await().atMost(COMMAND_TIMEOUT).until(() -> rabbitmqctl("eval", "rabbit_alarm:get_alarms().")
                    .contains("memory"));
        } else {
            rabbitmqctl("set_vm_memory_high_watermark", "0.4");
            await().atMost(COMMAND_TIMEOUT).until(() -> !rabbitmqctl("eval", "rabbit_alarm:get_alarms().")
                    .contains("memory"));
        }
    }

    /** Runs {@code rabbitmqctl} against this node; returns its output. */
    public String rabbitmqctl(String... arguments) {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("rabbitmqctl").toString(), "-q", "-n", node));
        command.addAll(List.of(arguments));
        return run(command, COMMAND_TIMEOUT);
    }

    @Override
    public void close() {
        try {
            if (server != null && server.isAlive()) {
                try {
                    stop();
                } catch (RuntimeException e) {
                    server.descendants().forEach(ProcessHandle::destroyForcibly);
                    server.destroyForcibly();
                }
            }
        } finally {
            TestFiles.deleteTree(dir);
        }
    }

    private void startNode() {
        try {
            Path log = dir.resolve("server-" + (++starts) + ".log");
            ProcessBuilder builder = new ProcessBuilder(BIN.resolve("rabbitmq-server").toString())
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().putAll(environment);
            server = builder.start();
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (!server.isAlive()) {
                    throw new IllegalStateException("private RabbitMQ node exited:\n" + Files.readString(log));
                }
                return Prerequisites.tcpAnswers(host(), port);
            });
            rabbitmqctl("await_startup");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a private RabbitMQ node", e);
        }
    }

    private void awaitExit() {
        try {
            if (!server.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("private RabbitMQ node did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the private RabbitMQ node", e);
        }
    }

    private String run(List<String> command, Duration timeout) {
        return Commands.check(timeout, environment, command);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

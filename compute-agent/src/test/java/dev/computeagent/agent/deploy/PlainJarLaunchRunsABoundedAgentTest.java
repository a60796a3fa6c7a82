package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.jvm.JvmMemoryDefaults;
import dev.computeagent.agent.jvm.JvmRelaunch;
import dev.computeagent.agent.testing.AmqpTestClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar launched as the configuration docs once showed, plain {@code java -jar} with no heap
 * option: the agent runs in a child JVM with the recommended options under a supervising JVM, becomes
 * ready (libvirt's test driver, the machine's RabbitMQ), stops gracefully when the supervisor gets SIGTERM,
 * and ends by itself when the supervisor is killed (-9). Needs the jar, so it runs after {@code package}
 * (tag {@code packaged-jar}). What this launch costs in memory is measured by the agent benchmark
 * (benchmarks/agent.md), not here.
 */
@Tag("packaged-jar")
class PlainJarLaunchRunsABoundedAgentTest {

    private static final Duration START = Duration.ofMinutes(4);
    private final String host = "plain-jar-" + UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private AmqpTestClient broker;

    @TempDir
    Path dir;

    @BeforeEach
    void connect() throws Exception {
        broker = AmqpTestClient.connect(host);
    }

    @AfterEach
    void cleanUp() throws Exception {
        broker.deleteQueues();
        broker.close();
    }

    @Test
    void sigtermToTheLaunchedJvmStopsTheBoundedAgentGracefully() throws Exception {
        Path log = dir.resolve("agent.log");
        int port = freePort();
        Process launched = launch(port, log);
        try {
            ProcessHandle agent = awaitReadyAgent(launched, port, log);

            launched.destroy();

            assertThat(launched.waitFor(2, TimeUnit.MINUTES)).as("the supervisor exits").isTrue();
            assertThat(agent.isAlive()).as("the agent exited before its supervisor").isFalse();
            assertThat(Files.readString(log)).contains("shutting down: no new commands");
        } finally {
            launched.destroyForcibly();
        }
    }

    @Test
    void theAgentEndsWhenItsSupervisorIsKilled() throws Exception {
        Path log = dir.resolve("agent.log");
        int port = freePort();
        Process launched = launch(port, log);
        try {
            ProcessHandle agent = awaitReadyAgent(launched, port, log);

            launched.destroyForcibly().waitFor();

            await().atMost(Duration.ofMinutes(2)).until(() -> !agent.isAlive());
            assertThat(Files.readString(log)).contains("is gone; shutting down")
                    .contains("shutting down: no new commands");
        } finally {
            launched.destroyForcibly();
        }
    }

    private Process launch(int port, Path log) throws IOException {
        Path jar = ProjectFiles.repositoryRoot().resolve(ApplicationFacts.read().jarPath());
        assertThat(jar).as("the repackaged agent jar (built by `package`)").isRegularFile();
        Path images = Files.createDirectories(dir.resolve("images"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove(JvmRelaunch.SUPERVISOR_PID);
        builder.environment().remove(JvmRelaunch.SWITCH);
        builder.environment().put("AGENT_HOST", host);
        builder.environment().put("AGENT_STATE_DIR", dir.resolve("state").toString());
        builder.environment().put("AGENT_IMAGE_STORE_URL", images.toUri().toString());
        builder.environment().put("AGENT_LIBVIRT_URI", "test:///default");
        builder.environment().put("SPRING_RABBITMQ_HOST", AmqpTestClient.BROKER_HOST);
        builder.environment().put("SPRING_RABBITMQ_PORT", Integer.toString(AmqpTestClient.BROKER_PORT));
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        return builder.start();
    }

    /** The launched JVM's one child, once it answers ready; it runs with the recommended options. */
    private ProcessHandle awaitReadyAgent(Process launched, int port, Path log) {
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(launched.isAlive()).as("the launched JVM is running; log:%n%s", Files.readString(log)).isTrue();
            return ready(port);
        });
        List<ProcessHandle> children = launched.children().toList();
        assertThat(children).as("the launched JVM supervises exactly one agent JVM").hasSize(1);
        ProcessHandle agent = children.get(0);
        assertThat(agent.info().arguments().map(List::of).orElseThrow())
                .containsAll(List.of(JvmMemoryDefaults.RECOMMENDED.split(" "))).contains("-jar");
        assertThat(ProcessHandle.current().pid()).isNotEqualTo(agent.pid());
        return agent;
    }

    private boolean ready(int port) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"UP\"");
        } catch (IOException notListeningYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

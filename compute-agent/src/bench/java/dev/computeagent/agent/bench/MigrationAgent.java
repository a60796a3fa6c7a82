package dev.computeagent.agent.bench;

import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.AgentProcess;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.agent.testing.HostAgent;
import dev.computeagent.agent.testing.TestKeys;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * One agent JVM ({@link AgentProcess}) serving one harness host, configured as
 * {@code AgentMigrationTwoLibvirtHostsRabbitMqTest} configures its agents, with the benchmark's
 * controller side ({@link BenchAmqp}) for its queue. {@link #close} stops it gracefully and removes
 * its queues.
 */
final class MigrationAgent implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path stateDir;
    private final Path log;
    private final int port;
    private final AgentProcess process;
    private final AmqpTestClient queues;
    private final BenchAmqp amqp;

    private MigrationAgent(String name, Path stateDir, Path log, int port, AgentProcess process, AmqpTestClient queues,
                           BenchAmqp amqp) {
        this.name = name;
        this.stateDir = stateDir;
        this.log = log;
        this.port = port;
        this.process = process;
        this.queues = queues;
        this.amqp = amqp;
    }

    /** Starts the agent {@code name} for {@code host} and waits until it consumes its command queue. */
    static MigrationAgent start(TwoLibvirtHosts.Host host, String name, Path stateDir, URI imageStore, String virtType,
                                Path log) throws Exception {
        Files.createDirectories(stateDir);
        int port = HostAgent.freePort();
        Map<String, String> p = HostAgent.properties(host, name, stateDir, imageStore, port);
        p.put("agent.libvirt.virt-type", virtType);
        // agent-to-agent commands are signed: both agents share the key
        p.putAll(TestKeys.agentProperties());
        AmqpTestClient queues = AmqpTestClient.connect(name);
        BenchAmqp amqp = new BenchAmqp(AmqpTestClient.BROKER_HOST, AmqpTestClient.BROKER_PORT, name);
        AgentProcess process = new AgentProcess(p, log).start();
        MigrationAgent agent = new MigrationAgent(name, stateDir, log, port, process, queues, amqp);
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.alive()) {
                    throw new IllegalStateException("agent " + name + " exited:\n" + process.log());
                }
                return queues.consumers() == 1;
            });
        } catch (RuntimeException e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    String name() {
        return name;
    }

    Path stateDir() {
        return stateDir;
    }

    Path log() {
        return log;
    }

    /** Where the tiny guest's serial output goes while this agent owns {@code uuid}. */
    Path consoleLog(UUID uuid) {
        return stateDir.resolve("instances").resolve(uuid.toString()).resolve("console.log");
    }

    BenchAmqp amqp() {
        return amqp;
    }

    /**
     * Publishes {@code command} for {@code uuid} to this agent and waits for its final event; fails
     * at once when the agent process is gone rather than waiting out the timeout.
     *
     * @return the final event and the {@link System#nanoTime()} just before the publish
     */
    Sent send(String command, String requestId, UUID uuid, String argsJson, Duration timeout) throws Exception {
        long published = amqp.command(command, requestId, uuid.toString(), argsJson);
        long deadline = published + timeout.toNanos();
        while (true) {
            try {
                return new Sent(amqp.await(requestId, Duration.ofSeconds(1)), published);
            } catch (TimeoutException notYet) {
                if (!process.alive()) {
                    throw new IllegalStateException("agent " + name + " exited while handling " + requestId);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("no final event for " + requestId + " within " + timeout);
                }
            }
        }
    }

    /** A command's final event and when it was published. */
    record Sent(BenchAmqp.Final result, long publishedNanos) {
    }

    /** The agent's {@code /actuator/prometheus} text. */
    String prometheus() throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/prometheus")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /actuator/prometheus of " + name + " -> " + r.statusCode());
        }
        return r.body();
    }

    @Override
    public void close() throws Exception {
        try {
            if (process.alive()) {
                process.stop(Duration.ofSeconds(20));
            }
        } finally {
            queues.deleteQueues();
            queues.close();
            amqp.close();
        }
    }
}

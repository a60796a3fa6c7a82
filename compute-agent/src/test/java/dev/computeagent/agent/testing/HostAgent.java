package dev.computeagent.agent.testing;

import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * One real agent JVM serving one host of {@link TwoLibvirtHosts}, with its state directory, REST port
 * and controller-side AMQP client: what the multi-host tests drive through the agents' contracts.
 *
 * @param host     the agent's name ({@code agent.host})
 * @param stateDir its {@code agent.state-dir}
 * @param port     its REST port
 * @param client   the controller's AMQP client for this host
 * @param process  the agent's JVM
 */
public record HostAgent(String host, Path stateDir, int port, AmqpTestClient client, AgentProcess process) {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * Starts an agent named {@code name} on {@code libvirtHost} with its state in {@code stateDir}, images from
     * {@code imageStore} and {@code extra} properties on top; its log goes to {@code target/agent-<name>.log}.
     * Returns at once: see {@link #awaitConsuming}.
     */
    public static HostAgent start(TwoLibvirtHosts.Host libvirtHost, String name, Path stateDir, URI imageStore,
                                  Map<String, String> extra) throws Exception {
        Files.createDirectories(stateDir);
        int port = freePort();
        Map<String, String> p = properties(libvirtHost, name, stateDir, imageStore, port);
        p.putAll(extra);
        AmqpTestClient client = AmqpTestClient.connect(name);
        AgentProcess process = new AgentProcess(p, Path.of("target", "agent-" + name + ".log").toAbsolutePath())
                .start();
        return new HostAgent(name, stateDir, port, client, process);
    }

    /**
     * The properties of an agent named {@code name} serving {@code libvirtHost} (its libvirt URIs, the local
     * broker, REST on {@code port}, a 10 s shutdown timeout); a mutable map, for callers to add to.
     */
    public static Map<String, String> properties(TwoLibvirtHosts.Host libvirtHost, String name, Path stateDir,
                                                 URI imageStore, int port) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("agent.host", name);
        p.put("agent.state-dir", stateDir.toString());
        p.put("agent.image-store.url", imageStore.toString());
        p.put("agent.libvirt.uri", libvirtHost.unixUri());
        p.put("agent.libvirt.migration-uri", libvirtHost.tcpUri());
        p.put("spring.rabbitmq.host", AmqpTestClient.BROKER_HOST);
        p.put("spring.rabbitmq.port", Integer.toString(AmqpTestClient.BROKER_PORT));
        p.put("server.port", Integer.toString(port));
        p.put("agent.shutdown-timeout", "10s");
        return p;
    }

    /** A TCP port free on this machine right now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits until the agent consumes its command queue; fails with its log when it died. */
    public void awaitConsuming(Duration timeout) {
        await().atMost(timeout).until(() -> {
            if (!process.alive()) {
                throw new IllegalStateException("agent " + host + " died:\n" + process.log());
            }
            return client.consumers() == 1;
        });
    }

    public Path instanceDir(UUID uuid) {
        return stateDir.resolve("instances").resolve(uuid.toString());
    }

    public Path disk(UUID uuid) {
        return instanceDir(uuid).resolve("disk");
    }

    public Path consoleLog(UUID uuid) {
        return instanceDir(uuid).resolve("console.log");
    }

    /** The body of {@code GET /v1/instances}. */
    public String instances() throws Exception {
        return get("/v1/instances").body();
    }

    /** {@code GET /v1/instances/{uuid}}, parsed. */
    public JsonNode instance(UUID uuid) throws Exception {
        HttpResponse<String> response = get("/v1/instances/" + uuid);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /v1/instances/" + uuid + ": " + response.statusCode() + " "
                    + response.body());
        }
        return AgentJson.mapper().readTree(response.body());
    }

    /** {@link #command(UUID, String, String, String, Duration)} within 90 s. */
    public JsonNode command(UUID uuid, String command, String requestId, String args) throws IOException {
        return command(uuid, command, requestId, args, Duration.ofSeconds(90));
    }

    /** Sends {@code command} for {@code uuid} and returns its reply (the final event) within {@code timeout}. */
    public JsonNode command(UUID uuid, String command, String requestId, String args, Duration timeout)
            throws IOException {
        client.command(AmqpTestClient.envelope(command, requestId, uuid.toString(), args), requestId);
        return client.awaitReply(requestId, timeout).json();
    }

    /** Stops the JVM (SIGTERM), deletes the host's queues and closes the client. */
    public void stop() throws Exception {
        process.stop(Duration.ofSeconds(15));
        client.deleteQueues();
        client.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

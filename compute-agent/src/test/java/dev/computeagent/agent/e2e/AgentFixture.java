package dev.computeagent.agent.e2e;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.AgentProcess;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A real agent JVM on real libvirt/QEMU, a real Glance stub serving the tiny test guest, and a
 * controller-side AMQP client, for one test class. Unique host name, state under /var/tmp (QEMU
 * must be able to traverse it), everything removed afterwards.
 */
final class AgentFixture implements AutoCloseable {

    static final String TINY = "tiny";
    final String host = "it-" + UUID.randomUUID().toString().substring(0, 8);
    final Path root;
    final Path stateDir;
    final GlanceStubServer glance;
    final AmqpTestClient client;
    final int port = freePort();
    private AgentProcess agent;
    private int starts;

    AgentFixture() throws Exception {
        Prerequisites.requireLibvirt("qemu:///system");
        Prerequisites.requireQemuImg();
        client = AmqpTestClient.connect(host);
        root = Files.createTempDirectory(Path.of("/var/tmp"), "agent-e2e-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        stateDir = root.resolve("state");
        glance = GlanceStubServer.start();
        glance.addImage(TINY, TinyGuestImage.write(root.resolve("tiny.raw")));
    }

    AgentProcess startAgent() throws IOException {
        return startAgent(Map.of());
    }

    /** Starts the agent with {@code extra} properties on top of the fixture's; REST on {@link #port}. */
    AgentProcess startAgent(Map<String, String> extra) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("agent.host", host);
        p.put("agent.state-dir", stateDir.toString());
        p.put("agent.image-store.url", glance.url().toString());
        p.put("agent.libvirt.uri", "qemu:///system");
        p.put("spring.rabbitmq.host", AmqpTestClient.BROKER_HOST);
        p.put("spring.rabbitmq.port", Integer.toString(AmqpTestClient.BROKER_PORT));
        p.put("server.port", Integer.toString(port));
        p.put("agent.shutdown-timeout", "20s");
        p.putAll(extra);
        agent = new AgentProcess(p, root.resolve("agent-" + (++starts) + ".log")).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!agent.alive()) {
                throw new IllegalStateException("agent died:\n" + agent.log());
            }
            return client.consumers() == 1;
        });
        return agent;
    }

    AgentProcess agent() {
        return agent;
    }

    /** GET {@code path} on the agent's REST port. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path instanceDir(String uuid) {
        return stateDir.resolve("instances").resolve(uuid);
    }

    /** Sends {@code command} for instance {@code uuid} with a fresh request id and returns its reply. */
    JsonNode call(String uuid, String command, String args, Duration timeout) {
        String id = command + "-" + UUID.randomUUID();
        try {
            client.command(envelope(command, id, uuid, args), "c-" + id);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return client.awaitReply("c-" + id, timeout).json();
    }

    /** What the instance's serial console printed so far (empty before it exists). */
    String console(String uuid) throws IOException {
        Path log = instanceDir(uuid).resolve("console.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    static String spawnArgs(String name, String image, int rootGb, String metadataJson) {
        return "{\"name\":" + json(name) + ",\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":" + rootGb + "},"
                + "\"image_id\":\"" + image + "\",\"metadata\":" + metadataJson + "}";
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Agent logs and guest consoles survive the run under target/ for diagnosis. */
    private void keepLogs() {
        Path keep = Path.of("target", "agent-e2e-logs", host);
        try (var files = Files.walk(root)) {
            Files.createDirectories(keep);
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".log") && Files.isRegularFile(f)) {
                    String prefix = f.getParent().equals(root) ? "" : f.getParent().getFileName() + "-";
                    Files.copy(f, keep.resolve(prefix + name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            // diagnosis only
        }
    }

    @Override
    public void close() throws Exception {
        if (agent != null) {
            agent.close();
        }
        // whatever a failed test left: our domains carry our uuids, never touch others
        Virsh.removeDomainsOf(stateDir);
        client.deleteQueues();
        client.close();
        glance.close();
        keepLogs();
        Files.walk(root).sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
}

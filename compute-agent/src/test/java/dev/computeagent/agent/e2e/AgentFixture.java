package dev.computeagent.agent.e2e;

import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.AgentProcess;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

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

    /** Starts the agent with these properties added to (or replacing) the fixture's. */
    AgentProcess startAgent(Map<String, String> overrides) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("agent.host", host);
        p.put("agent.state-dir", stateDir.toString());
        p.put("agent.image-store.url", glance.url().toString());
        p.put("agent.libvirt.uri", "qemu:///system");
        p.put("spring.rabbitmq.host", AmqpTestClient.BROKER_HOST);
        p.put("spring.rabbitmq.port", Integer.toString(AmqpTestClient.BROKER_PORT));
        p.put("server.port", "0");
        p.put("agent.shutdown-timeout", "20s");
        p.putAll(overrides);
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

    Path instanceDir(String uuid) {
        return stateDir.resolve("instances").resolve(uuid);
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
                    Files.copy(f, keep.resolve(prefix + name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
        for (String name : dev.computeagent.agent.testing.Virsh.allDomains()) {
            if (name.startsWith("instance-") && Files.isDirectory(instanceDir(name.substring("instance-".length())))) {
                try {
                    dev.computeagent.agent.testing.Virsh.run("virsh", "-c", "qemu:///system", "destroy", name);
                } catch (IllegalStateException ignored) {
                    // not running
                }
                dev.computeagent.agent.testing.Virsh.run("virsh", "-c", "qemu:///system", "undefine", name);
            }
        }
        client.deleteQueues();
        client.close();
        glance.close();
        keepLogs();
        Files.walk(root).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
}

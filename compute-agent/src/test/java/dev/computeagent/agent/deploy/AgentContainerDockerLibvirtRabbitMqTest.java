package dev.computeagent.agent.deploy;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.agent.testing.ContainerImages;
import dev.computeagent.agent.testing.Docker;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.libvirt.UnixSocketProxy;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real image, built from the repository's Dockerfile (on local JDK/JRE stand-ins for its base
 * images, with the jar {@code package} made) and run as README documents: uid 10001 with the host's
 * libvirt group, {@code /run/libvirt} and the state dir mounted, host network. Through RabbitMQ it
 * spawns the tiny guest on this machine's libvirtd, reports it over REST, turns unhealthy (the
 * image's own HEALTHCHECK) when libvirtd goes away, and finishes a command in flight on
 * {@code docker stop}, leaving later ones queued for the next start.
 *
 * <p>The container's {@code /run/libvirt} holds a socket proxied to the machine's libvirtd (root:libvirt
 * 0770, the Debian layout): stopping the proxy makes libvirtd "go away" for this agent alone, and
 * libvirtd sees root on the other side, as with a socket that grants the libvirt group access.
 * One container for the whole class; runs after {@code package} (tag {@code packaged-jar}).
 */
@Tag(PackagedJarMatchesDockerfileTest.TAG)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentContainerDockerLibvirtRabbitMqTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int AGENT_UID = 10001;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String host = "ctr-" + UUID.randomUUID().toString().substring(0, 8);
    private final String container = "compute-agent-test-" + host;
    private final String uuid = UUID.randomUUID().toString();
    private Path root;
    private Path stateDir;
    private Path libvirtSocket;
    private GroupPrincipal libvirtGroup;
    private UnixSocketProxy libvirtd;
    private GlanceStubServer glance;
    private AmqpTestClient client;
    private int port;
    private Duration startToReady;

    @BeforeAll
    void startContainer() throws Exception {
        Docker.require();
        Prerequisites.requireLibvirt("qemu:///system");
        client = AmqpTestClient.connect(host);
        String image = ContainerImages.agent();

        root = Files.createTempDirectory(Path.of("/var/tmp"), "agent-container-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        stateDir = Files.createDirectory(root.resolve("state"));
        Files.setAttribute(stateDir, "unix:uid", AGENT_UID);
        Files.setAttribute(stateDir, "unix:gid", AGENT_UID);
        Path runLibvirt = Files.createDirectory(root.resolve("run-libvirt"));
        libvirtSocket = runLibvirt.resolve("libvirt-sock");
        libvirtGroup = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName("libvirt");
        libvirtd = new UnixSocketProxy(libvirtSocket, Path.of("/run/libvirt/libvirt-sock"));
        startLibvirtd();
        int libvirtGid = (Integer) Files.getAttribute(libvirtSocket, "unix:gid");

        glance = GlanceStubServer.start();
        glance.addImage("tiny", TinyGuestImage.write(root.resolve("tiny.raw")));
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        long t0 = System.nanoTime();
        Docker.run(Duration.ofSeconds(60), "run", "--detach", "--name", container, "--network", "host",
                "--group-add", Integer.toString(libvirtGid),
                "--volume", runLibvirt + ":/run/libvirt", "--volume", stateDir + ":" + stateDir,
                "--env", "AGENT_HOST=" + host, "--env", "AGENT_STATE_DIR=" + stateDir,
                "--env", "AGENT_IMAGE_STORE_URL=" + glance.url(), "--env", "AGENT_LIBVIRT_VIRT_TYPE=qemu",
                "--env", "SPRING_RABBITMQ_HOST=" + AmqpTestClient.BROKER_HOST,
                "--env", "SPRING_RABBITMQ_PORT=" + AmqpTestClient.BROKER_PORT,
                "--env", "SERVER_PORT=" + port, "--env", "AGENT_SHUTDOWN_TIMEOUT=60s",
                // the image's HEALTHCHECK command, probed every second instead of every 30 s
                "--health-interval", "1s", "--health-timeout", "3s", "--health-retries", "2",
                image);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).ignoreException(ConnectException.class)
                .until(() -> {
                    if (!"running".equals(Docker.inspect(container, "{{.State.Status}}"))) {
                        throw new IllegalStateException("the agent container stopped:\n" + logs());
                    }
                    return readiness().statusCode() == 200;
                });
        startToReady = Duration.ofNanos(System.nanoTime() - t0);
        System.out.printf("agent container: docker run to readiness UP in %d ms%n", startToReady.toMillis());
    }

    @Test
    @Order(1)
    void runsAsTheNonRootAgentUserWithTheHostsLibvirtGroupAndMapsItsClassDataArchive() throws IOException {
        assertThat(Docker.inspect(container, "{{.Config.User}}")).isEqualTo(AGENT_UID + ":" + AGENT_UID);
        String pid = Docker.inspect(container, "{{.State.Pid}}");
        List<String> status = Files.readAllLines(Path.of("/proc", pid, "status"));
        int libvirtGid = (Integer) Files.getAttribute(libvirtSocket, "unix:gid");
        assertThat(status).anyMatch(l -> l.matches("Uid:\\s+" + AGENT_UID + "\\s+" + AGENT_UID + "\\s.*"))
                .anyMatch(l -> l.startsWith("Groups:") && List.of(l.substring(7).trim().split("\\s+"))
                        .contains(Integer.toString(libvirtGid)));
        // the JVM keeps the class-data archive built at image build time mapped: it matched its class path
        assertThat(Files.readString(Path.of("/proc", pid, "maps"))).contains("/opt/compute-agent/compute-agent.jsa");
        assertThat(startToReady).as("docker run to readiness (BENCHMARKS.md has the quiet-machine figure)")
                .isLessThan(Duration.ofSeconds(60));
    }

    @Test
    @Order(2)
    void spawnsTheTinyGuestOnTheHostsLibvirtdThroughRabbitMqAndReportsItOverRestAndTheCli() throws Exception {
        client.command(envelope("spawn", "spawn-" + uuid, uuid, "{\"name\":\"in a container\",\"image_id\":\"tiny\","
                + "\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":1}}"), "c-spawn");

        JsonNode reply = client.awaitReply("c-spawn", WAIT).json();
        assertThat(reply.path("error").isNull()).as(reply.toString()).isTrue();
        assertThat(reply.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(Virsh.run("domstate", "instance-" + uuid)).contains("running");
        Path console = stateDir.resolve("instances").resolve(uuid).resolve("console.log");
        await().atMost(WAIT).until(() -> Files.exists(console)
                && Files.readString(console).contains(TinyGuestImage.BOOT_MARKER));
        HttpResponse<String> rest = get("/v1/instances/" + uuid);
        assertThat(rest.statusCode()).isEqualTo(200);
        JsonNode instance = JSON.readTree(rest.body());
        assertThat(instance.path("state").asString()).isEqualTo("ACTIVE");
        assertThat(instance.path("power_state").asString()).isEqualTo("RUNNING");
        assertThat(instance.path("host").asString()).isEqualTo(host);
        assertThat(instance.path("name").asString()).isEqualTo("in a container");
        // the operator CLI inside the image finds the agent's API and broker in the container's environment
        JsonNode shown = JSON.readTree(Docker.run(Duration.ofSeconds(60), "exec", container, "compute-agent-ctl",
                "--json", "show", uuid));
        assertThat(shown.path("state").asString()).isEqualTo("ACTIVE");
    }

    @Test
    @Order(3)
    void healthcheckTurnsUnhealthyWhenLibvirtdGoesAwayAndHealthyWhenItComesBack() throws Exception {
        await().atMost(WAIT).until(() -> health().equals("healthy"));

        libvirtd.stop();
        await().atMost(WAIT).until(() -> health().equals("unhealthy"));
        HttpResponse<String> readiness = readiness();
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(readiness.body()).path("components").path("libvirt").path("status").asString())
                .isEqualTo("DOWN");
        assertThat(Docker.inspect(container, "{{.State.Status}}")).as("unhealthy, not dead").isEqualTo("running");

        startLibvirtd();
        await().atMost(WAIT).until(() -> health().equals("healthy"));
    }

    @Test
    @Order(4)
    void dockerStopLetsTheCommandInFlightFinishAndLeavesLaterOnesQueued() throws Exception {
        // the tiny guest ignores ACPI: this stop runs its full 8 s before forcing the guest off
        client.command(envelope("stop", "stop-" + uuid, uuid, "{\"timeout_s\":8}"), "c-stop");
        await().atMost(WAIT).until(() -> client.eventNames("stop-" + uuid).contains("instance.stop.start"));

        CompletableFuture<ProcessResult> stopping = CompletableFuture.supplyAsync(
                () -> Docker.tryRun(Duration.ofSeconds(120), "stop", "--time", "90", container));
        // a command published once the shutdown has begun must wait for the next agent
        await().atMost(WAIT).until(() -> logs().contains("shutting down: no new commands") || stopping.isDone());
        assertThat(stopping).as("docker stop returned before the in-flight stop ended").isNotDone();
        client.command(envelope("start", "start-" + uuid, uuid, "{}"), "c-start");
        assertThat(stopping.get().exitCode()).as(stopping.get().stderr()).isZero();

        assertThat(Docker.inspect(container, "{{.State.ExitCode}}")).as("SIGTERM (143), not SIGKILL (137)")
                .isEqualTo("143");
        assertThat(client.eventNames("stop-" + uuid)).containsExactly("instance.stop.start", "instance.stop.end");
        assertThat(client.awaitReply("c-stop", WAIT).json().path("payload").path("state").asString())
                .isEqualTo("STOPPED");
        assertThat(client.eventNames("start-" + uuid)).as("taken after shutdown began").isEmpty();
        try (var channel = client.channel().getConnection().createChannel()) {
            assertThat(channel.queueDeclarePassive("compute." + host).getMessageCount()).isEqualTo(1);
        }

        // the next container on the same state takes the queued command
        Docker.run(Duration.ofSeconds(60), "start", container);
        assertThat(client.awaitReply("c-start", WAIT).json().path("payload").path("state").asString())
                .isEqualTo("ACTIVE");
        client.command(envelope("delete", "delete-" + uuid, uuid, "{}"), "c-delete");
        assertThat(client.awaitReply("c-delete", WAIT).json().path("payload").path("state").asString())
                .isEqualTo("DELETED");
        assertThat(Virsh.allDomains()).doesNotContain("instance-" + uuid);
    }

    @AfterAll
    void removeEverything() throws Exception {
        if (container != null && root != null) {
            try {
                Files.writeString(keptLogs().resolve("container.log"), logs());
            } catch (RuntimeException | IOException e) {
                // diagnosis only
            }
            Docker.removeContainer(container);
        }
        if (stateDir != null) {
            Virsh.removeDomainsOf(stateDir);
        }
        if (libvirtd != null) {
            libvirtd.close();
        }
        if (client != null) {
            client.deleteQueues();
            client.close();
        }
        if (glance != null) {
            glance.close();
        }
        if (root != null) {
            try (var files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The proxy socket as Debian lays libvirtd's out: root:libvirt 0770. */
    private void startLibvirtd() throws IOException {
        libvirtd.start();
        Files.getFileAttributeView(libvirtSocket, PosixFileAttributeView.class).setGroup(libvirtGroup);
        Files.setPosixFilePermissions(libvirtSocket, PosixFilePermissions.fromString("rwxrwx---"));
    }

    private String health() {
        return Docker.inspect(container, "{{.State.Health.Status}}");
    }

    private HttpResponse<String> readiness() throws IOException, InterruptedException {
        return get("/actuator/health/readiness");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String logs() {
        ProcessResult result = Docker.tryRun(Duration.ofSeconds(30), "logs", container);
        return result.stdout() + result.stderr();
    }

    private Path keptLogs() throws IOException {
        Path keep = Path.of("target", "agent-container-logs", host);
        Files.createDirectories(keep);
        Path console = stateDir.resolve("instances").resolve(uuid).resolve("console.log");
        if (Files.exists(console)) {
            Files.copy(console, keep.resolve("console.log"), StandardCopyOption.REPLACE_EXISTING);
        }
        return keep;
    }
}

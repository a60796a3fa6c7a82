package dev.computeagent.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.deploy.ProjectFiles;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.virt.libvirt.testing.Virsh;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operator CLI as shipped ({@code bin/compute-agent-ctl} on the packaged jar) against a real
 * agent, RabbitMQ and libvirtd with the tiny guest: one instance through its whole life (spawn with
 * user data and metadata, show, list, status, stop, start, reboot, a migrate that fails, raw
 * envelopes, delete), with {@code events --follow} watching, and the tool's failure modes (exit
 * codes, an unknown host, a broker refusing the login without the password ever printed). Runs
 * after {@code package} (tag {@code packaged-jar}).
 */
@Tag("packaged-jar")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorCliLibvirtRabbitMqTest {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(180);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One run of the tool. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    private AgentFixture fx;
    private String api;
    private final String uuid = UUID.randomUUID().toString();

    @BeforeAll
    void startAgent() throws Exception {
        fx = new AgentFixture();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        fx.startAgent(Map.of("server.port", Integer.toString(port), "agent.libvirt.virt-type", "qemu"));
        api = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> ctl("status").exitCode() == 0);
    }

    @AfterAll
    void stopAgent() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void drivesAnInstanceThroughItsLifeAndReportsEveryOutcome() throws Exception {
        Path userData = Files.writeString(fx.root.resolve("user-data"), "#cloud-config\nhostname: cli\n");
        Path eventsOut = fx.root.resolve("events.out");
        Path eventsErr = fx.root.resolve("events.err");
        Process events = start(eventsOut, eventsErr, "events", "--follow", "--host", fx.host, "--instance", uuid);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(eventsErr).contains("receiving events"));
            Run spawn = ctl("spawn", "--host", fx.host, "--image", AgentFixture.TINY, "--flavor", "vcpus=1,ram=64,disk=1",
                    "--name", "cli guest", "--uuid", uuid, "--user-data", userData.toString(), "--meta", "purpose=cli");
            assertThat(spawn.exitCode()).as(spawn.toString()).isZero();
            assertThat(spawn.stdout()).contains("instance.spawn.end").containsPattern("state\\s+ACTIVE")
                    .containsPattern("power_state\\s+RUNNING");
            assertThat(fx.instanceDir(uuid).resolve("disk.config")).as("the user data's config drive").exists();
            assertThat(Virsh.allDomains()).contains("instance-" + uuid);

            JsonNode shown = JSON.readTree(ctl("--json", "show", uuid).stdout());
            assertThat(shown.path("name").asString()).isEqualTo("cli guest");
            assertThat(shown.path("flavor").path("memory_mb").asInt()).isEqualTo(64);
            assertThat(ctl("show", uuid).stdout()).containsPattern("state\\s+ACTIVE").containsPattern("host\\s+" + fx.host);
            assertThat(ctl("list").stdout()).contains(uuid).contains("cli guest").contains("1/64M/1G");
            assertThat(ctl("status").stdout()).containsPattern("host\\s+" + fx.host).contains("hypervisor.connected");

            assertOutcome(ctl("stop", "--host", fx.host, uuid, "--force"), "instance.stop.end", "STOPPED");
            assertOutcome(ctl("start", "--host", fx.host, uuid), "instance.start.end", "ACTIVE");
            assertOutcome(ctl("reboot", "--host", fx.host, uuid, "--hard"), "instance.reboot.end", "ACTIVE");

            Run migrate = ctl("migrate", "--host", fx.host, uuid, "--to", "nowhere-" + fx.host, "--cold");
            assertThat(migrate.exitCode()).as(migrate.toString()).isEqualTo(1);
            assertThat(migrate.stdout()).contains("instance.migrate.error").contains("MIGRATION_FAILED");
            assertThat(migrate.stderr()).contains("MIGRATION_FAILED");

            Run rejected = ctlWithInput("{\"version\":1,\"request_id\":\"cli-bad\",\"command\":\"explode\","
                    + "\"instance_uuid\":\"" + uuid + "\",\"args\":{}}", "send", "--host", fx.host, "-");
            assertThat(rejected.exitCode()).as(rejected.toString()).isEqualTo(1);
            assertThat(rejected.stdout()).contains("command.rejected").contains("INVALID_COMMAND");
            assertThat(fx.client.drainDeadLetters()).hasSize(1);

            Path delete = Files.writeString(fx.root.resolve("delete.json"), AmqpTestClient.envelope("delete",
                    "cli-delete-" + uuid, uuid, "{}"));
            Run deleted = ctl("--json", "send", "--host", fx.host, delete.toString());
            assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
            assertThat(JSON.readTree(deleted.stdout()).path("payload").path("state").asString()).isEqualTo("DELETED");
            assertThat(Virsh.allDomains()).doesNotContain("instance-" + uuid);

            Run gone = ctl("show", uuid);
            assertThat(gone.exitCode()).as(gone.toString()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(eventsOut).contains("instance.delete.end"));
            assertThat(Files.readString(eventsOut).lines().map(l -> l.split("\\s+")[2]).toList()).containsSubsequence(
                    "instance.spawn.start", "instance.spawn.end", "instance.stop.end", "instance.start.end",
                    "instance.reboot.end", "instance.migrate.error", "instance.delete.end");
        } finally {
            events.destroy();
            events.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void failsWithDistinctExitCodesAndNeverPrintsThePassword() throws Exception {
        Run usage = ctl("spawn", "--host", fx.host, "--flavor", "vcpus=1,ram=64,disk=1");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.stderr()).contains("--image is required");

        Run unknownHost = ctl("start", "--host", "nobody-" + fx.host, UUID.randomUUID().toString());
        assertThat(unknownHost.exitCode()).as(unknownHost.toString()).isEqualTo(3);
        assertThat(unknownHost.stderr()).contains("no agent queue is bound for host nobody-" + fx.host);

        String secret = "S3cret-" + UUID.randomUUID();
        Run refused = ctl("--amqp", "amqp://guest:" + secret + "@" + AmqpTestClient.BROKER_HOST + ":"
                + AmqpTestClient.BROKER_PORT, "start", "--host", fx.host, uuid);
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
        assertThat(refused.stderr()).contains("cannot connect to the broker amqp://" + AmqpTestClient.BROKER_HOST);
        assertThat(refused.stdout() + refused.stderr()).doesNotContain(secret);

        Run failed = ctl("spawn", "--host", fx.host, "--image", "no-such-image", "--flavor", "vcpus=1,ram=64,disk=1");
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.stdout()).contains("instance.spawn.error").contains("IMAGE_NOT_FOUND");
    }

    private static void assertOutcome(Run run, String event, String state) {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).contains(event).containsPattern("state\\s+" + state);
    }

    private Run ctl(String... args) throws Exception {
        return ctlWithInput(null, args);
    }

    /** Runs the launcher with the broker from the environment, as an operator on the agent's host would. */
    private Run ctlWithInput(String stdin, String... args) throws Exception {
        Path out = Files.createTempFile(fx.root, "ctl", ".out");
        Path err = Files.createTempFile(fx.root, "ctl", ".err");
        ProcessBuilder builder = command(args).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin != null) {
            Path in = Files.writeString(Files.createTempFile(fx.root, "ctl", ".in"), stdin);
            builder.redirectInput(in.toFile());
        } else {
            builder.redirectInput(new File("/dev/null"));
        }
        Process process = builder.start();
        if (!process.waitFor(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("compute-agent-ctl " + String.join(" ", args) + " did not finish in " + CALL_TIMEOUT);
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private Process start(Path out, Path err, String... args) throws IOException {
        return command(args).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(new File("/dev/null")).start();
    }

    private ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProjectFiles.repositoryRoot().resolve("bin/compute-agent-ctl").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("SPRING_RABBITMQ_HOST", AmqpTestClient.BROKER_HOST);
        builder.environment().put("SPRING_RABBITMQ_PORT", Integer.toString(AmqpTestClient.BROKER_PORT));
        builder.environment().put("COMPUTE_AGENT_API", api);
        return builder;
    }
}

package dev.computeagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Address;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.RebootType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What the CLI makes of its arguments and environment, before any broker is involved. */
class ComputeAgentCtlArgumentsTest {

    @Test
    void flavorWordsBecomeTheSpawnFlavor() {
        assertThat(CommandRequests.flavor("vcpus=2,ram=512,disk=10")).isEqualTo(new Flavor(2, 512, 10, 0));
        assertThat(CommandRequests.flavor("disk=0, vcpus=1, ram=64, ephemeral=5")).isEqualTo(new Flavor(1, 64, 0, 5));
        assertThatThrownBy(() -> CommandRequests.flavor("vcpus=1,ram=64")).isInstanceOf(UsageException.class)
                .hasMessageContaining("disk=N");
        assertThatThrownBy(() -> CommandRequests.flavor("vcpus=1,ram=64,disk=1,gpu=1"))
                .hasMessageContaining("unknown key gpu");
        assertThatThrownBy(() -> CommandRequests.flavor("vcpus=one,ram=64,disk=1")).hasMessageContaining("whole number");
    }

    @Test
    void nicWordsBecomeTypedNics() {
        assertThat(CommandRequests.nic("network=default")).isEqualTo(new NicArgs("network", "default", null, null));
        assertThat(CommandRequests.nic("bridge=br0,mac=52:54:00:12:34:56,model=e1000"))
                .isEqualTo(new NicArgs("bridge", "br0", "52:54:00:12:34:56", "e1000"));
        assertThat(CommandRequests.nic("user")).isEqualTo(new NicArgs("user", null, null, null));
        assertThatThrownBy(() -> CommandRequests.nic("network=a,bridge=b")).hasMessageContaining("one of");
        assertThatThrownBy(() -> CommandRequests.nic("mac=52:54:00:12:34:56")).hasMessageContaining("needs network=");
    }

    @Test
    void spawnEnvelopeCarriesAFreshRequestIdAndTheTypedArguments() {
        JsonNode envelope = AgentJson.mapper().readTree(CommandRequests.bytes(CommandRequests.envelope(CommandName.SPAWN,
                "8A3C7E9E-4B1F-4C55-9D2A-1F0E6C1D2B3A", CommandRequests.spawnArgs("web", "debian-12",
                        CommandRequests.flavor("vcpus=1,ram=512,disk=10"), CommandRequests.nics(List.of("network=default")),
                        CommandRequests.metadata(List.of("role=web")), "#cloud-config\n".getBytes(StandardCharsets.UTF_8)))));

        assertThat(envelope.path("version").asInt()).isEqualTo(1);
        assertThat(envelope.path("request_id").asString()).matches("ctl-[0-9a-f-]{36}");
        assertThat(envelope.path("instance_uuid").asString()).isEqualTo("8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");
        JsonNode args = envelope.path("args");
        assertThat(args.path("flavor").path("memory_mb").asInt()).isEqualTo(512);
        assertThat(args.path("nics").get(0).path("source").asString()).isEqualTo("default");
        assertThat(args.path("metadata").path("role").asString()).isEqualTo("web");
        assertThat(args.path("user_data").asString()).isEqualTo("I2Nsb3VkLWNvbmZpZwo=");
        assertThat(CommandRequests.envelope(CommandName.START, "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a", NoArgs.INSTANCE)
                .requestId())
                .isNotEqualTo(envelope.path("request_id").asString());
    }

    @Test
    void migrateColdMeansNotLiveAndStopForceMeansNoGracePeriod() {
        assertThat(CommandRequests.migrateArgs("node-8", true, null).live()).isFalse();
        assertThat(CommandRequests.migrateArgs("node-8", false, null).live()).isNull();
        assertThat(CommandRequests.stopArgs(true, 30).timeoutS()).isZero();
        assertThat(CommandRequests.stopArgs(false, 30).timeoutS()).isEqualTo(30);
        assertThat(CommandRequests.rebootArgs(true).rebootType()).isEqualTo(RebootType.HARD);
    }

    @Test
    void brokerComesFromTheOptionThenAmqpUrlThenTheAgentsOwnVariables() {
        BrokerTarget option = BrokerTarget.resolve("amqp://ops:secret@rabbit-1:5673/prod,amqp://rabbit-2",
                Map.of("AMQP_URL", "amqp://other"));
        assertThat(option.addresses()).containsExactly(new Address("rabbit-1", 5673), new Address("rabbit-2", 5672));
        assertThat(option.connectionFactory().getUsername()).isEqualTo("ops");
        assertThat(option.connectionFactory().getVirtualHost()).isEqualTo("prod");
        assertThat(option.toString()).doesNotContain("secret").contains("rabbit-1:5673");

        assertThat(BrokerTarget.resolve(null, Map.of("AMQP_URL", "amqps://mq.example/")).addresses())
                .containsExactly(new Address("mq.example", 5671));

        BrokerTarget spring = BrokerTarget.resolve(null, Map.of("SPRING_RABBITMQ_ADDRESSES", "a:5672,b:5673",
                "SPRING_RABBITMQ_USERNAME", "agent", "SPRING_RABBITMQ_PASSWORD", "p@ss word"));
        assertThat(spring.addresses()).containsExactly(new Address("a", 5672), new Address("b", 5673));
        assertThat(spring.connectionFactory().getPassword()).isEqualTo("p@ss word");
        assertThat(spring.connectionFactory().getVirtualHost()).isEqualTo("/");
        assertThat(spring.toString()).doesNotContain("p@ss");

        assertThat(BrokerTarget.resolve(null, Map.of()).addresses()).containsExactly(new Address("127.0.0.1", 5672));
        assertThatThrownBy(() -> BrokerTarget.resolve("http://user:pw@rabbit", Map.of()))
                .isInstanceOf(UsageException.class).hasMessageNotContaining("pw");
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatIsWrong() {
        assertThat(run("spawn", "--host", "h1", "--image", "i")).isEqualTo(ComputeAgentCtl.USAGE);
        assertThat(err).contains("--flavor is required");
        assertThat(run("stop", "--host", "h1", "not-a-uuid")).isEqualTo(ComputeAgentCtl.USAGE);
        assertThat(err).contains("not an instance UUID");
        assertThat(run("reboot", "--host", "h1", "--hrad", "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a"))
                .isEqualTo(ComputeAgentCtl.USAGE);
        assertThat(err).contains("unknown option --hrad");
        assertThat(run("start", "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a")).isEqualTo(ComputeAgentCtl.USAGE);
        assertThat(err).contains("--host is required");
        assertThat(run("frobnicate")).isEqualTo(ComputeAgentCtl.USAGE);
        assertThat(run("stop", "--host", "h1", "--force", "--shutdown-timeout", "5",
                "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a")).isEqualTo(ComputeAgentCtl.USAGE);
        assertThat(err).contains("exclude each other");
        assertThat(run("resize", "--host", "h1", "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a")).isEqualTo(ComputeAgentCtl.USAGE);
        assertThat(err).contains("--flavor is required");
        assertThat(run("rescue", "--host", "h1", "--imgae", "x", "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a"))
                .isEqualTo(ComputeAgentCtl.USAGE);
        assertThat(err).contains("unknown option --imgae");
        assertThat(run("rebuild", "--host", "h1", "--user-data", "x", "--preserve", "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a"))
                .isEqualTo(ComputeAgentCtl.USAGE);
        assertThat(err).contains("--preserve");
        assertThat(run("rebuild", "--help")).isEqualTo(ComputeAgentCtl.OK);
        assertThat(out).contains("rebuild --host H UUID [--image ID] [--user-data FILE] [--preserve-ephemeral]");
        assertThat(run()).isEqualTo(ComputeAgentCtl.USAGE);
        assertThat(err).contains("usage: compute-agent-ctl");
        assertThat(run("spawn", "--help")).isEqualTo(ComputeAgentCtl.OK);
        assertThat(out).contains("spawn   --host H --image ID --flavor");
    }

    @Test
    void anUnreachableBrokerExitsWithThreeWithoutThePassword() {
        // port 1 on loopback: nothing listens, the connection is refused at once
        assertThat(run("--amqp", "amqp://u:hunter2@127.0.0.1:1", "delete", "--host", "h1",
                "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a")).isEqualTo(ComputeAgentCtl.NO_ANSWER);
        assertThat(err).contains("cannot connect to the broker amqp://127.0.0.1:1").doesNotContain("hunter2");
    }

    private String out;
    private String err;

    private int run(String... args) {
        CtlRun run = CtlRun.of(args);
        out = run.out();
        err = run.err();
        return run.exitCode();
    }
}

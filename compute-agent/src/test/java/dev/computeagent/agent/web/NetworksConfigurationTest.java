package dev.computeagent.agent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.config.AgentProperties;
import dev.computeagent.agent.network.HostNetworkPlan;
import dev.computeagent.agent.network.VlanLink;
import dev.computeagent.agent.testing.AgentPropertyKeys;
import dev.computeagent.agent.web.support.AgentWebTestApplication;
import dev.computeagent.virt.network.Ipv4Subnet;
import dev.computeagent.virt.network.NetworkDefinition;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** {@code agent.networks.<name>.*}: what each mode takes, and a network that does not fit stops the start-up. */
@ExtendWith(OutputCaptureExtension.class)
class NetworksConfigurationTest {

    @Test
    void everyModeBindsToItsPlan() {
        AgentProperties properties = bind(Map.of(
                "agent.networks.tenant.mode", "nat",
                "agent.networks.tenant.cidr", "10.77.0.0/24",
                "agent.networks.tenant.dhcp-start", "10.77.0.100",
                "agent.networks.lab.mode", "isolated",
                "agent.networks.lab.cidr", "10.78.0.0/16",
                "agent.networks.provider.mode", "bridge",
                "agent.networks.provider.bridge", "br-prov",
                "agent.networks.provider.vlan-parent", "eth1",
                "agent.networks.provider.vlan-id", "42",
                "agent.networks.old.mode", "absent"));

        Map<String, AgentProperties.HostNetwork> networks = properties.networks();
        assertThat(networks.get("tenant").plan("tenant")).isEqualTo(HostNetworkPlan.ensure(NetworkDefinition.nat(
                "tenant", new Ipv4Subnet("10.77.0.1", 24, "10.77.0.100", "10.77.0.254")), Optional.empty()));
        assertThat(networks.get("lab").plan("lab")).isEqualTo(HostNetworkPlan.ensure(NetworkDefinition.isolated(
                "lab", new Ipv4Subnet("10.78.0.1", 16, "10.78.0.2", "10.78.255.254")), Optional.empty()));
        assertThat(networks.get("provider").plan("provider")).isEqualTo(HostNetworkPlan.ensure(
                NetworkDefinition.bridged("provider", "br-prov"), Optional.of(new VlanLink("eth1", 42))));
        assertThat(networks.get("old").plan("old")).isEqualTo(HostNetworkPlan.absent("old"));
        assertThat(bind(Map.of()).networks()).isEmpty();
    }

    @Test
    void aBridgeNetworkWithoutABridgeNameUsesItsOwnName() {
        AgentProperties properties = bind(Map.of("agent.networks.br-x.mode", "bridge"));

        assertThat(properties.networks().get("br-x").plan("br-x").definition())
                .contains(NetworkDefinition.bridged("br-x", "br-x"));
    }

    @Test
    void theHelmChartsEnvironmentVariablesSetTheKeysOfANetwork() {
        assertThat(AgentPropertyKeys.sets("AGENT_NETWORKS_TENANT_MODE", "agent.networks.tenant.mode")).isTrue();
        assertThat(AgentPropertyKeys.sets("AGENT_NETWORKS_TENANT_DHCPSTART", "agent.networks.tenant.dhcp-start"))
                .isTrue();
        assertThat(AgentPropertyKeys.sets("AGENT_NETWORKS_PROV_VLANPARENT", "agent.networks.prov.vlan-parent"))
                .isTrue();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "agent.networks.n.cidr       | 10.77.0.0/33 | agent.networks.n: prefix must be within [8, 30]",
            "agent.networks.n.dhcp-start | 10.99.0.5    | agent.networks.n: DHCP range 10.99.0.5-10.77.0.254 is not inside",
            "agent.networks.n.bridge     | br0          | agent.networks.n: a nat network takes cidr",
            "agent.networks.n.vlan-id    | 7            | agent.networks.n: a nat network takes cidr",
    })
    void aNetworkThatDoesNotFitItsModeStopsTheStartUpNamingIt(String key, String value, String reason,
                                                              CapturedOutput output) {
        SpringApplicationBuilder agent = new SpringApplicationBuilder(AgentWebTestApplication.class)
                .web(WebApplicationType.NONE)
                .properties("spring.rabbitmq.port=1", "agent.state-dir=target/agent-web-state",
                        "agent.networks.n.cidr=10.77.0.0/24", key + "=" + value);

        assertThatThrownBy(agent::run).isInstanceOf(RuntimeException.class);

        String all = output.getAll();
        assertThat(all.substring(all.lastIndexOf("APPLICATION FAILED TO START"))).contains(reason);
    }

    private static AgentProperties bind(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(values);
        all.put("agent.host", "h1");
        return new Binder(new MapConfigurationPropertySource(all)).bindOrCreate("agent", AgentProperties.class);
    }
}

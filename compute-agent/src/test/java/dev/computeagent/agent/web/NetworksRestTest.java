package dev.computeagent.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.web.support.AgentWebContextTest;
import dev.computeagent.virt.network.Ipv4Subnet;
import dev.computeagent.virt.network.NetworkDefinition;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code GET /v1/networks}: the agent's networks with their subnet, bridge and users, nobody else's. */
class NetworksRestTest extends AgentWebContextTest {

    @Test
    void listsTheAgentsNetworksByNameWithTheirSubnetBridgeAndInstances() {
        UUID user = UUID.fromString("8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");
        networks.addForeign("default");
        networks.ensure(NetworkDefinition.nat("tenant-nat", Ipv4Subnet.of("10.77.0.0/24", "", "")));
        networks.ensure(NetworkDefinition.bridged("provider", "br-provider"));
        networks.use("tenant-nat", user);

        HttpResponse<String> response = get("/v1/networks");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.size()).isEqualTo(2);
        JsonNode provider = body.get(0);
        assertThat(provider.get("name").asString()).isEqualTo("provider");
        assertThat(provider.get("mode").asString()).isEqualTo("bridge");
        assertThat(provider.get("bridge").asString()).isEqualTo("br-provider");
        assertThat(provider.get("cidr").isNull()).isTrue();
        JsonNode nat = body.get(1);
        assertThat(nat.get("name").asString()).isEqualTo("tenant-nat");
        assertThat(nat.get("mode").asString()).isEqualTo("nat");
        assertThat(nat.get("active").asBoolean()).isTrue();
        assertThat(nat.get("cidr").asString()).isEqualTo("10.77.0.0/24");
        assertThat(nat.get("gateway").asString()).isEqualTo("10.77.0.1");
        assertThat(nat.get("dhcp_start").asString()).isEqualTo("10.77.0.2");
        assertThat(nat.get("dhcp_end").asString()).isEqualTo("10.77.0.254");
        assertThat(nat.get("instances").get(0).asString()).isEqualTo(user.toString());
    }
}

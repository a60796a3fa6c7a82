package dev.computeagent.agent.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.network.Ipv4Subnet;
import dev.computeagent.virt.network.NetworkStatus;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One of the agent's host networks in {@code GET /v1/networks}.
 *
 * @param name      what a NIC of type {@code network} names as its source
 * @param mode      {@code nat}, {@code isolated} or {@code bridge}
 * @param active    whether it runs
 * @param bridge    the Linux bridge its guests are plugged into, when known
 * @param cidr      nat/isolated: the subnet
 * @param gateway   nat/isolated: the host's address in it
 * @param dhcpStart nat/isolated: first DHCP address
 * @param dhcpEnd   nat/isolated: last DHCP address
 * @param instances the instances (any domain of the hypervisor) with a NIC on it
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record NetworkView(
        @JsonProperty("name") String name,
        @JsonProperty("mode") String mode,
        @JsonProperty("active") boolean active,
        @JsonProperty("bridge") @Nullable String bridge,
        @JsonProperty("cidr") @Nullable String cidr,
        @JsonProperty("gateway") @Nullable String gateway,
        @JsonProperty("dhcp_start") @Nullable String dhcpStart,
        @JsonProperty("dhcp_end") @Nullable String dhcpEnd,
        @JsonProperty("instances") List<UUID> instances) {

    static NetworkView of(NetworkStatus status) {
        Optional<Ipv4Subnet> subnet = status.definition().subnet();
        return new NetworkView(status.definition().name(), status.definition().mode().name().toLowerCase(Locale.ROOT),
                status.active(), status.bridge().orElse(null), subnet.map(Ipv4Subnet::cidr).orElse(null),
                subnet.map(Ipv4Subnet::gateway).orElse(null), subnet.map(Ipv4Subnet::dhcpStart).orElse(null),
                subnet.map(Ipv4Subnet::dhcpEnd).orElse(null), status.instances());
    }
}

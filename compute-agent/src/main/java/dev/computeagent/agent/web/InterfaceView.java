package dev.computeagent.agent.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.AddressSource;
import dev.computeagent.virt.InterfaceStatus;
import dev.computeagent.virt.IpAddress;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One network interface in {@code GET /v1/instances/{uuid}}, shaped like an entry of KubeVirt's VMI
 * {@code status.interfaces}.
 *
 * @param mac           its MAC address, lower case
 * @param model         the device model ({@code virtio}); null = the hypervisor's default
 * @param type          {@code network}, {@code bridge} or {@code user}, as in {@code spawn.args.nics}
 * @param source        the libvirt network or host bridge; null for {@code user}
 * @param interfaceName its name inside the guest, when the guest agent reported it
 * @param ipAddress     the first of {@code ipAddresses}; null when none is known
 * @param ipAddresses   the addresses known for it now (DHCP lease first, then what the guest agent
 *                      reports), each once, without prefix length
 * @param infoSource    where they come from: {@code lease} (the DHCP server of the libvirt network),
 *                      {@code guest-agent}; empty when no address is known
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InterfaceView(
        @JsonProperty("mac") String mac,
        @JsonProperty("model") @Nullable String model,
        @JsonProperty("type") String type,
        @JsonProperty("source") @Nullable String source,
        @JsonProperty("interface_name") @Nullable String interfaceName,
        @JsonProperty("ip_address") @Nullable String ipAddress,
        @JsonProperty("ip_addresses") List<String> ipAddresses,
        @JsonProperty("info_source") List<String> infoSource) {

    static InterfaceView of(InterfaceStatus nic) {
        List<String> addresses = nic.addresses().stream().map(IpAddress::address).toList();
        List<String> sources = nic.addressSources().stream().sorted().map(InterfaceView::sourceName).toList();
        return new InterfaceView(nic.mac(), nic.model().orElse(null), nic.type().name().toLowerCase(Locale.ROOT),
                nic.source().orElse(null), nic.guestName().orElse(null),
                addresses.isEmpty() ? null : addresses.get(0), addresses, sources);
    }

    private static String sourceName(AddressSource source) {
        return switch (source) {
            case LEASE -> "lease";
            case GUEST_AGENT -> "guest-agent";
        };
    }
}

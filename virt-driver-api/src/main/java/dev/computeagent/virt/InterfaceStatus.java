package dev.computeagent.virt;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One network interface of an instance as the hypervisor defines it, with the IP addresses known
 * for it now (the interfaces of KubeVirt's VMI status).
 *
 * @param mac             the MAC address, lower case (the spec's, or the one the hypervisor chose)
 * @param type            how it is connected
 * @param source          the network or bridge name; absent for {@link NicSpec.Type#USER}
 * @param model           the device model, e.g. {@code virtio}; absent = the hypervisor's default
 * @param guestName       the interface's name inside the guest (e.g. {@code ens2}), when the guest
 *                        agent reported it
 * @param addresses       the addresses known for it, each once, in the order the sources reported them;
 *                        empty when none is known (instance not running, no lease yet, no guest agent)
 * @param addressSources  which sources reported at least one of {@code addresses}
 */
public record InterfaceStatus(String mac, NicSpec.Type type, Optional<String> source, Optional<String> model,
                              Optional<String> guestName, List<IpAddress> addresses,
                              Set<AddressSource> addressSources) {

    public InterfaceStatus {
        mac = Objects.requireNonNull(mac, "mac").toLowerCase(Locale.ROOT);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(guestName, "guestName");
        addresses = List.copyOf(addresses);
        addressSources = Set.copyOf(addressSources);
        if (addresses.isEmpty() != addressSources.isEmpty()) {
            throw new IllegalArgumentException("addresses and their sources go together: " + addresses + " "
                    + addressSources);
        }
    }
}

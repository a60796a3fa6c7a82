package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.IpAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one source of {@code virDomainInterfaceAddresses} says about one interface.
 *
 * @param name      the interface's name as the source knows it: the host's tap device for leases
 *                  ({@code vnet0}), the guest's own name for the guest agent ({@code ens2}, {@code lo})
 * @param mac       its MAC address, lower case; absent when the source gave none
 * @param addresses its addresses, in the source's order
 */
public record ReportedInterface(String name, Optional<String> mac, List<IpAddress> addresses) {

    public ReportedInterface {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mac, "mac");
        addresses = List.copyOf(addresses);
    }
}

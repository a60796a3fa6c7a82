package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.AddressSource;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InterfaceStatus;
import dev.computeagent.virt.IpAddress;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.binding.ReportedInterface;
import dev.computeagent.virt.libvirt.domain.InterfaceType;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Puts together what the domain definition, the DHCP leases and the guest agent say about an
 * instance's NICs: one {@link InterfaceStatus} per defined interface, in definition order, with the
 * addresses of both sources matched by MAC address (lease addresses first, each address once). What a
 * source reports for a MAC the domain does not define (the guest's loopback, tunnels) is dropped.
 */
final class InterfaceReport {

    private InterfaceReport() {
    }

    /**
     * @param defined  the domain's interfaces; libvirt has given each one a MAC address
     * @param reported what each source answered (a source that could not answer maps to an empty list)
     */
    static List<InterfaceStatus> of(List<NetInterface> defined, Map<AddressSource, List<ReportedInterface>> reported) {
        List<InterfaceStatus> result = new ArrayList<>();
        for (NetInterface nic : defined) {
            String mac = nic.mac().map(m -> m.toLowerCase(Locale.ROOT)).orElseThrow(() ->
                    new HypervisorException("libvirt defines an interface without a MAC address: " + nic));
            Map<String, IpAddress> addresses = new LinkedHashMap<>();
            Set<AddressSource> sources = EnumSet.noneOf(AddressSource.class);
            Optional<String> guestName = Optional.empty();
            for (AddressSource source : AddressSource.values()) {
                for (ReportedInterface report : reported.getOrDefault(source, List.of())) {
                    if (!report.mac().map(mac::equals).orElse(false)) {
                        continue;
                    }
                    if (source == AddressSource.GUEST_AGENT && !report.name().isEmpty()) {
                        guestName = Optional.of(report.name());
                    }
                    if (!report.addresses().isEmpty()) {
                        report.addresses().forEach(address -> addresses.putIfAbsent(address.address(), address));
                        sources.add(source);
                    }
                }
            }
            result.add(new InterfaceStatus(mac, type(nic.type()), nic.source(), nic.model(), guestName,
                    List.copyOf(addresses.values()), sources));
        }
        return result;
    }

    private static NicSpec.Type type(InterfaceType type) {
        return switch (type) {
            case NETWORK -> NicSpec.Type.NETWORK;
            case BRIDGE -> NicSpec.Type.BRIDGE;
            case USER -> NicSpec.Type.USER;
        };
    }
}

package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.domain.DomainNames;
import dev.computeagent.virt.libvirt.domain.InterfaceType;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import java.util.Optional;

/**
 * The spec's NICs, in order; a NIC without a MAC gets one from libvirt. With security groups every NIC but a
 * user-mode one references the instance's filter.
 */
final class NicConfigurator implements DomainConfigurator {

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        for (NicSpec nic : spec.nics()) {
            Optional<String> filter = spec.securityGroups() && nic.type() != NicSpec.Type.USER
                    ? Optional.of(DomainNames.securityGroupFilter(spec.uuid())) : Optional.empty();
            domain.interfaces.add(nic(nic, filter));
        }
    }

    /** One NIC as the domain has it, referencing {@code filter} when the instance's NICs are filtered. */
    static NetInterface nic(NicSpec nic, Optional<String> filter) {
        return new NetInterface(type(nic.type()), nic.source(), nic.mac(), Optional.of(nic.model()), filter);
    }

    private static InterfaceType type(NicSpec.Type type) {
        return switch (type) {
            case NETWORK -> InterfaceType.NETWORK;
            case BRIDGE -> InterfaceType.BRIDGE;
            case USER -> InterfaceType.USER;
        };
    }
}

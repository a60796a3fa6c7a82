package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.domain.InterfaceType;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import java.util.Optional;

/** The spec's NICs, in order; a NIC without a MAC gets one from libvirt. */
final class NicConfigurator implements DomainConfigurator {

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        for (NicSpec nic : spec.nics()) {
            domain.interfaces.add(nic(nic));
        }
    }

    /** One NIC as the domain has it; also what a hot plug attaches. */
    static NetInterface nic(NicSpec nic) {
        return new NetInterface(type(nic.type()), nic.source(), nic.mac(), Optional.of(nic.model()));
    }

    private static InterfaceType type(NicSpec.Type type) {
        return switch (type) {
            case NETWORK -> InterfaceType.NETWORK;
            case BRIDGE -> InterfaceType.BRIDGE;
            case USER -> InterfaceType.USER;
        };
    }
}

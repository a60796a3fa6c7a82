package dev.computeagent.virt;

/** Who reported an instance's IP address (libvirt's {@code VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_*}). */
public enum AddressSource {
    /** The DHCP server of the hypervisor's own network handed the address out (libvirt's lease source). */
    LEASE,
    /** The guest agent inside the instance reported the address configured on the interface. */
    GUEST_AGENT
}

package dev.computeagent.virt.network;

/** How a host network reaches the outside. */
public enum NetworkMode {
    /** A private subnet behind the host's NAT, with DHCP (libvirt {@code <forward mode='nat'/>}). */
    NAT,
    /** A private subnet with DHCP that reaches only the host and its other guests (no {@code <forward>}). */
    ISOLATED,
    /** Guests plugged into a Linux bridge of the host (libvirt {@code <forward mode='bridge'/>}). */
    BRIDGE
}

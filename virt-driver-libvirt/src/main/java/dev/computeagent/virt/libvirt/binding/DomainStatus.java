package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.PowerState;

/** What {@code virDomainGetInfo} says about a domain. */
public record DomainStatus(PowerState powerState, long cpuTimeNs, long memoryKb, int vcpus) {
}

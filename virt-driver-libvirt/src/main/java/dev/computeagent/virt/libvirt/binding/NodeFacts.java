package dev.computeagent.virt.libvirt.binding;

/** Identity and capacity of the host behind a connection. */
public record NodeFacts(String hostname, int cpus, long memoryKb, String hypervisorType, String hypervisorVersion) {
}

package dev.computeagent.virt;

import java.util.Objects;

/**
 * Capacity and identity of a host.
 *
 * @param hostname          the hypervisor host's name
 * @param vcpus             logical CPUs
 * @param memoryMb          physical memory, MiB
 * @param hypervisorType    e.g. {@code QEMU}
 * @param hypervisorVersion e.g. {@code 7.2.0}
 * @param virtType          the domain type the driver uses: {@code kvm} or {@code qemu}
 * @param uri               the connection URI
 */
public record HostResources(String hostname, int vcpus, long memoryMb, String hypervisorType,
                            String hypervisorVersion, String virtType, String uri) {

    public HostResources {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(hypervisorType, "hypervisorType");
        Objects.requireNonNull(hypervisorVersion, "hypervisorVersion");
        Objects.requireNonNull(virtType, "virtType");
        Objects.requireNonNull(uri, "uri");
    }
}

package dev.computeagent.virt.libvirt.domain;

import dev.computeagent.virt.InstanceMetadata;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A libvirt domain definition: the part of libvirt's domain XML the agent writes and reads.
 * Pure data, no policy; {@link DomainXml} converts it from and to XML.
 *
 * @param type          accelerated ({@code kvm}) or emulated ({@code qemu})
 * @param name          the libvirt domain name
 * @param uuid          the libvirt domain uuid
 * @param memoryKib     the maximum memory, KiB
 * @param vcpus         the number of virtual CPUs
 * @param os            firmware, machine and boot order
 * @param features      hypervisor features
 * @param cpu           the guest CPU; absent = the hypervisor's default
 * @param clock         the guest clock's offset
 * @param lifecycle     what happens on power-off, reboot and crash
 * @param devices       the devices
 * @param agentMetadata the agent's {@code <metadata>} element; absent = not the agent's domain
 */
public record Domain(DomainType type, String name, UUID uuid, long memoryKib, int vcpus, Os os,
                     Set<Feature> features, Optional<Cpu> cpu, ClockOffset clock,
                     LifecycleActions lifecycle, Devices devices, Optional<InstanceMetadata> agentMetadata) {

    public Domain {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("domain name must not be empty");
        }
        Objects.requireNonNull(uuid, "uuid");
        if (memoryKib <= 0) {
            throw new IllegalArgumentException("memory must be positive: " + memoryKib);
        }
        if (vcpus <= 0) {
            throw new IllegalArgumentException("vcpus must be positive: " + vcpus);
        }
        Objects.requireNonNull(os, "os");
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(lifecycle, "lifecycle");
        Objects.requireNonNull(devices, "devices");
        Objects.requireNonNull(agentMetadata, "agentMetadata");
    }
}

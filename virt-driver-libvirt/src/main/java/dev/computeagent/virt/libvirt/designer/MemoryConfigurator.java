package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;

/** The flavor's memory. */
final class MemoryConfigurator implements DomainConfigurator {

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        domain.memoryKib = Math.multiplyExact(spec.flavor().memoryMb(), 1024L);
    }
}

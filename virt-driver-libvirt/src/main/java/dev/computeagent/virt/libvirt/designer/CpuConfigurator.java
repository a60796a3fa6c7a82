package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.Cpu;
import dev.computeagent.virt.libvirt.domain.CpuMode;
import java.util.Optional;

/**
 * The flavor's vCPUs and the CPU model. On KVM the guest gets {@code host-model} (the host's CPU,
 * migratable to hosts with the same or newer CPU); under TCG host-model has no meaning, so the
 * element is left out and QEMU's default emulated model applies.
 */
final class CpuConfigurator implements DomainConfigurator {

    private final VirtType virtType;

    CpuConfigurator(VirtType virtType) {
        this.virtType = virtType;
    }

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        domain.vcpus = spec.flavor().vcpus();
        domain.cpu = virtType == VirtType.KVM ? Optional.of(Cpu.of(CpuMode.HOST_MODEL)) : Optional.empty();
    }
}

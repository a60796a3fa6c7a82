package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.Cpu;
import dev.computeagent.virt.libvirt.domain.CpuFeature;
import dev.computeagent.virt.libvirt.domain.CpuFeaturePolicy;
import java.util.Optional;

/** The flavor's vCPUs and the guest CPU of the host's {@link CpuPolicy}. */
final class CpuConfigurator implements DomainConfigurator {

    private final CpuPolicy policy;

    CpuConfigurator(CpuPolicy policy) {
        this.policy = policy;
    }

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        domain.vcpus = spec.flavor().vcpus();
        domain.cpu = policy.mode().map(mode -> new Cpu(mode, Optional.empty(),
                policy.disabledFeatures().stream().map(f -> new CpuFeature(CpuFeaturePolicy.DISABLE, f)).toList()));
    }
}

package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.libvirt.domain.Cpu;
import dev.computeagent.virt.libvirt.domain.CpuFeature;
import dev.computeagent.virt.libvirt.domain.CpuFeaturePolicy;
import dev.computeagent.virt.libvirt.domain.CpuMode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CpuConfiguratorTest {

    @Test
    void hostModelWithDisabledFeaturesOnKvm() {
        DomainBuilder domain = new DomainBuilder();
        CpuPolicy policy = new CpuPolicy(Optional.of(CpuMode.HOST_MODEL), List.of("arch-capabilities"));

        new CpuConfigurator(policy).configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.vcpus).isEqualTo(2);
        assertThat(domain.cpu).contains(new Cpu(CpuMode.HOST_MODEL, Optional.empty(),
                List.of(new CpuFeature(CpuFeaturePolicy.DISABLE, "arch-capabilities"))));
    }

    @Test
    void hypervisorDefaultLeavesTheCpuElementOut() {
        DomainBuilder domain = new DomainBuilder();

        new CpuConfigurator(CpuPolicy.hypervisorDefault()).configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.vcpus).isEqualTo(2);
        assertThat(domain.cpu).isEmpty();
    }
}

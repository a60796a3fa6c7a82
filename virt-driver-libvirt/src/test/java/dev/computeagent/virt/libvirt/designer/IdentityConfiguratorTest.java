package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.libvirt.domain.DomainType;
import org.junit.jupiter.api.Test;

class IdentityConfiguratorTest {

    @Test
    void kvmDomainIsNamedAfterTheInstanceUuid() {
        DomainBuilder domain = new DomainBuilder();

        new IdentityConfigurator(VirtType.KVM).configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.type).isEqualTo(DomainType.KVM);
        assertThat(domain.name).isEqualTo("instance-8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");
        assertThat(domain.uuid).isEqualTo(SpecVariants.UUID_1);
    }

    @Test
    void qemuVirtTypeGivesAnEmulatedDomain() {
        DomainBuilder domain = new DomainBuilder();

        new IdentityConfigurator(VirtType.QEMU).configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.type).isEqualTo(DomainType.QEMU);
    }
}

package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.libvirt.domain.BootDevice;
import dev.computeagent.virt.libvirt.domain.ClockOffset;
import dev.computeagent.virt.libvirt.domain.Feature;
import org.junit.jupiter.api.Test;

class PlatformConfiguratorTest {

    @Test
    void machineBootFromDiskAcpiApicAndUtcClock() {
        DomainBuilder domain = new DomainBuilder();

        new PlatformConfigurator("q35").configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.machine).contains("q35");
        assertThat(domain.boot).containsExactly(BootDevice.HD);
        assertThat(domain.features).containsExactlyInAnyOrder(Feature.ACPI, Feature.APIC);
        assertThat(domain.clock).isEqualTo(ClockOffset.UTC);
    }

    @Test
    void noEmulatorPathIsChosen() {
        DomainBuilder domain = new DomainBuilder();
        new IdentityConfigurator(VirtType.KVM).configure(SpecVariants.simpleSpec(), domain);
        new MemoryConfigurator().configure(SpecVariants.simpleSpec(), domain);
        new CpuConfigurator(CpuPolicy.hypervisorDefault()).configure(SpecVariants.simpleSpec(), domain);

        new PlatformConfigurator("pc").configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.build().devices().emulator()).isEmpty();
    }
}

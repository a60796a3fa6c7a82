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

        new PlatformConfigurator("q35", 8).configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.machine).contains("q35");
        assertThat(domain.boot).containsExactly(BootDevice.HD);
        assertThat(domain.features).containsExactlyInAnyOrder(Feature.ACPI, Feature.APIC);
        assertThat(domain.clock).isEqualTo(ClockOffset.UTC);
        assertThat(domain.pcieRootPorts).as("root ports, most free for hot plug").isEqualTo(8);
    }

    @Test
    void onlyAPcieMachineGetsRootPorts() {
        DomainBuilder pc = new DomainBuilder();
        DomainBuilder q35 = new DomainBuilder();

        new PlatformConfigurator("pc", 8).configure(SpecVariants.simpleSpec(), pc);
        new PlatformConfigurator("pc-q35-8.2", 3).configure(SpecVariants.simpleSpec(), q35);

        assertThat(pc.pcieRootPorts).isZero();
        assertThat(q35.pcieRootPorts).isEqualTo(3);
    }

    @Test
    void noEmulatorPathIsChosen() {
        DomainBuilder domain = new DomainBuilder();
        new IdentityConfigurator(VirtType.KVM).configure(SpecVariants.simpleSpec(), domain);
        new MemoryConfigurator().configure(SpecVariants.simpleSpec(), domain);
        new CpuConfigurator(CpuPolicy.hypervisorDefault()).configure(SpecVariants.simpleSpec(), domain);

        new PlatformConfigurator("pc", 8).configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.build().devices().emulator()).isEmpty();
    }
}

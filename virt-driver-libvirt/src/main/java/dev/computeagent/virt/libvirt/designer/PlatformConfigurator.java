package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.BootDevice;
import dev.computeagent.virt.libvirt.domain.ClockOffset;
import dev.computeagent.virt.libvirt.domain.Feature;
import java.util.Optional;

/**
 * Machine type, boot from the first disk, ACPI and APIC (ACPI is how a graceful stop reaches a guest
 * without a guest agent), and a UTC clock. No emulator path: libvirt picks the one for the machine type.
 */
final class PlatformConfigurator implements DomainConfigurator {

    private final String machineType;

    PlatformConfigurator(String machineType) {
        this.machineType = machineType;
    }

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        domain.machine = Optional.of(machineType);
        domain.boot.clear();
        domain.boot.add(BootDevice.HD);
        domain.features.add(Feature.ACPI);
        domain.features.add(Feature.APIC);
        domain.clock = ClockOffset.UTC;
    }
}

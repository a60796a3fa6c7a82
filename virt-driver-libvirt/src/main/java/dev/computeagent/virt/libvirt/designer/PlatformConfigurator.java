package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.BootDevice;
import dev.computeagent.virt.libvirt.domain.ClockOffset;
import dev.computeagent.virt.libvirt.domain.Feature;
import java.util.Optional;

/**
 * Machine type, boot from the first disk, ACPI and APIC (ACPI is how a graceful stop reaches a guest
 * without a guest agent), and a UTC clock. No emulator path: libvirt picks the one for the machine type.
 * A q35 machine gets {@code pcieRootPorts} {@code pcie-root-port} controllers: libvirt places the devices it is
 * defined with on the first ones, and a PCIe device is only hot plugged into a free one (without one, "No more
 * available PCI slots"); i440fx ({@code pc}) has 31 hot-pluggable slots on its PCI bus already.
 */
final class PlatformConfigurator implements DomainConfigurator {

    private final String machineType;
    private final int pcieRootPorts;

    PlatformConfigurator(String machineType, int pcieRootPorts) {
        this.machineType = machineType;
        this.pcieRootPorts = pcieRootPorts;
    }

    /** Whether {@code machineType} is a PCIe (q35) machine. */
    static boolean isPcie(String machineType) {
        return machineType.contains("q35");
    }

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        domain.machine = Optional.of(machineType);
        domain.boot.clear();
        domain.boot.add(BootDevice.HD);
        domain.features.add(Feature.ACPI);
        domain.features.add(Feature.APIC);
        domain.clock = ClockOffset.UTC;
        domain.pcieRootPorts = isPcie(machineType) ? pcieRootPorts : 0;
    }
}

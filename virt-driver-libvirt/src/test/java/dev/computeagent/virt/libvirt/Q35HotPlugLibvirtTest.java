package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.device.VolumeConnection;
import dev.computeagent.virt.libvirt.designer.DesignerOptions;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.libvirt.testing.Virsh;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hot plug on a q35 (PCIe) machine, tiny guest: with the {@code pcie-root-port}s the designer adds (default count),
 * four volumes and a NIC are plugged into the running guest; without them libvirt has no slot for a second device
 * ("No more available PCI slots"), which is what the ports are for.
 */
class Q35HotPlugLibvirtTest {

    private static GuestDisks disks;
    private static LibvirtComputeDriver withPorts;
    private static LibvirtComputeDriver withoutPorts;
    private final List<UUID> created = new ArrayList<>();

    @BeforeAll
    static void connect() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        disks = new GuestDisks();
        DesignerOptions q35 = DesignerOptions.defaults(VirtType.QEMU).withMachineType("q35");
        withPorts = LibvirtComputeDriver.connect(LibvirtTestSupport.settings().withDesignerOptions(q35));
        withoutPorts = LibvirtComputeDriver.connect(LibvirtTestSupport.settings()
                .withDesignerOptions(q35.withPcieRootPorts(0)));
    }

    @AfterEach
    void removeInstances() {
        for (UUID uuid : created) {
            withPorts.destroy(uuid);
            disks.deleteInstance(uuid);
        }
        created.clear();
    }

    @AfterAll
    static void disconnect() {
        for (LibvirtComputeDriver driver : new LibvirtComputeDriver[] {withPorts, withoutPorts}) {
            if (driver != null) {
                driver.close();
            }
        }
        if (disks != null) {
            disks.close();
        }
    }

    @Test
    void aVolumeAndANicAreHotPluggedIntoARunningQ35Guest() {
        UUID uuid = spawn(withPorts);
        assertThat(Virsh.run("dumpxml", uuid.toString())).contains("machine='pc-q35")
                .contains("model='pcie-root-port'");
        LibvirtDeviceDriver devices = new LibvirtDeviceDriver(withPorts);

        for (String device : List.of("vdb", "vdc", "vdd", "vde")) {
            devices.attachVolume(uuid, volume(uuid, device));
        }
        devices.attachInterface(uuid, new NicSpec(NicSpec.Type.USER, Optional.empty(),
                Optional.of("52:54:00:35:00:01"), "virtio"));

        assertThat(devices.attached(uuid).disks()).contains("vda", "vdb", "vdc", "vdd", "vde");
        assertThat(devices.attached(uuid).macs()).contains("52:54:00:35:00:01");
        assertThat(Virsh.domstate(uuid)).contains("running");
    }

    @Test
    void withoutRootPortsThereIsNoSlotForHotPluggedDevices() {
        UUID uuid = spawn(withoutPorts);
        LibvirtDeviceDriver devices = new LibvirtDeviceDriver(withoutPorts);

        List<String> plugged = new ArrayList<>();

        // libvirt may keep one free port of its own; a second device finds none
        assertThatThrownBy(() -> {
            for (String device : List.of("vdb", "vdc", "vdd")) {
                devices.attachVolume(uuid, volume(uuid, device));
                plugged.add(device);
            }
        }).isInstanceOf(DriverException.class).hasMessageContaining("PCI");
        assertThat(plugged).hasSizeLessThanOrEqualTo(1);
    }

    private UUID spawn(LibvirtComputeDriver driver) {
        UUID uuid = UUID.randomUUID();
        created.add(uuid);
        driver.spawn(new InstanceSpec(uuid, new InstanceMetadata("q35", new Flavor(1, 64, 1, 0), "image-1",
                "test-host", Map.of(), Map.of()), List.of(disks.overlay(uuid)), List.of(), disks.consoleLog(uuid),
                false));
        return uuid;
    }

    private static VolumeAttachment volume(UUID uuid, String device) {
        Path file = disks.instanceDir(uuid).resolve("vol-" + device + ".raw");
        Commands.check(Duration.ofSeconds(20), "qemu-img", "create", "-q", "-f", "raw", file.toString(), "16M");
        return new VolumeAttachment("vol-" + device, device, new VolumeConnection.FileVolume(file,
                DiskSpec.Format.RAW, false), false);
    }
}

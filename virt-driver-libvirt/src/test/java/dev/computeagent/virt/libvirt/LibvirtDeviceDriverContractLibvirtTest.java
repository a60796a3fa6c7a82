package dev.computeagent.virt.libvirt;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.contract.DeviceDriverContract;
import dev.computeagent.virt.device.DeviceDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The libvirt device driver against the real libvirtd + QEMU (tiny guest) passes the same contract as the fake. */
class LibvirtDeviceDriverContractLibvirtTest extends DeviceDriverContract {

    private static GuestDisks disks;
    private static LibvirtComputeDriver compute;
    private static LibvirtDeviceDriver devices;

    @BeforeAll
    static void connect() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        disks = new GuestDisks();
        compute = LibvirtComputeDriver.connect(LibvirtTestSupport.settings());
        devices = new LibvirtDeviceDriver(compute);
    }

    @AfterAll
    static void disconnect() {
        if (compute != null) {
            compute.close();
        }
        if (disks != null) {
            disks.close();
        }
    }

    @Override
    protected ComputeDriver compute() {
        return compute;
    }

    @Override
    protected DeviceDriver devices() {
        return devices;
    }

    @Override
    protected DiskSpec createRootDisk(UUID uuid) {
        return disks.overlay(uuid);
    }

    @Override
    protected Path createVolumeFile(UUID uuid, String name) {
        Path file = disks.instanceDir(uuid).resolve(name + ".raw");
        Commands.check(Duration.ofSeconds(20), "qemu-img", "create", "-q", "-f", "raw", file.toString(), "16M");
        return file;
    }

    @Override
    protected Path consoleLog(UUID uuid) {
        return disks.consoleLog(uuid);
    }

    @Override
    protected void deleteDisks(UUID uuid) {
        disks.deleteInstance(uuid);
    }
}

package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.contract.PowerOperationsContract;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The libvirt driver against the real libvirtd + QEMU passes the same contracts as the fake. */
class LibvirtComputeDriverContractLibvirtTest extends PowerOperationsContract {

    private static GuestDisks disks;
    private static LibvirtComputeDriver driver;

    @BeforeAll
    static void connect() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        disks = new GuestDisks();
        driver = LibvirtComputeDriver.connect(LibvirtTestSupport.settings());
    }

    @AfterAll
    static void disconnect() {
        if (driver != null) {
            driver.close();
        }
        if (disks != null) {
            disks.close();
        }
    }

    @Override
    protected ComputeDriver driver() {
        return driver;
    }

    @Override
    protected PowerOperations power() {
        return driver.powerOperations();
    }

    @Override
    protected DiskSpec createRootDisk(UUID uuid) {
        return disks.overlay(uuid);
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

package dev.computeagent.virt.fake;

import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.contract.DeviceDriverContract;
import dev.computeagent.virt.device.DeviceDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The in-memory device driver passes the same contract as the libvirt one. */
class FakeDeviceDriverContractTest extends DeviceDriverContract {

    @TempDir
    static Path dir;
    private static FakeComputeDriver compute;
    private static FakeDeviceDriver devices;

    @BeforeAll
    static void createDriver() {
        compute = new FakeComputeDriver();
        devices = new FakeDeviceDriver(compute);
    }

    @AfterAll
    static void closeDriver() {
        compute.close();
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
        return DiskSpec.qcow2Root(write(dir.resolve(uuid + ".qcow2")));
    }

    @Override
    protected Path createVolumeFile(UUID uuid, String name) {
        return write(dir.resolve(uuid + "-" + name + ".raw"));
    }

    @Override
    protected Path consoleLog(UUID uuid) {
        return dir.resolve(uuid + ".log");
    }

    @Override
    protected void deleteDisks(UUID uuid) {
        // the temporary directory goes with the class
    }

    private static Path write(Path path) {
        try {
            return Files.writeString(path, "disk");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

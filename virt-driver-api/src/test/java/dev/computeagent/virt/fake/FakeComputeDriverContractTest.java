package dev.computeagent.virt.fake;

import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.contract.PowerOperationsContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The in-memory fake passes the same contracts as the libvirt driver. */
class FakeComputeDriverContractTest extends PowerOperationsContract {

    @TempDir
    static Path dir;
    private static FakeComputeDriver driver;

    @BeforeAll
    static void createDriver() {
        driver = new FakeComputeDriver();
    }

    @AfterAll
    static void closeDriver() {
        driver.close();
    }

    @Override
    protected ComputeDriver driver() {
        return driver;
    }

    @Override
    protected PowerOperations power() {
        return driver;
    }

    @Override
    protected DiskSpec createRootDisk(UUID uuid) {
        try {
            return DiskSpec.qcow2Root(Files.writeString(dir.resolve(uuid + ".qcow2"), "disk"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Path consoleLog(UUID uuid) {
        return dir.resolve(uuid + ".log");
    }

    @Override
    protected void deleteDisks(UUID uuid) {
        try {
            Files.deleteIfExists(dir.resolve(uuid + ".qcow2"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

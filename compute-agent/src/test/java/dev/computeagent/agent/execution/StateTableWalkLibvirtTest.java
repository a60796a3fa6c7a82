package dev.computeagent.agent.execution;

import dev.computeagent.agent.testing.TestFiles;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.libvirt.LibvirtComputeDriver;
import dev.computeagent.virt.libvirt.LibvirtDriverSettings;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The state table walked with real libvirtd + QEMU (TCG) and the tiny test guest: pause is a real
 * {@code virDomainSuspend}, suspend a real managed save, delete of a suspended instance a real undefine
 * of its save image.
 */
class StateTableWalkLibvirtTest extends StateTableWalk {

    private static Path root;
    private static LibvirtComputeDriver driver;
    private static ImageCache images;

    @BeforeAll
    static void connect() throws Exception {
        Prerequisites.requireLibvirt("qemu:///system");
        Prerequisites.requireQemuImg();
        // QEMU must traverse the state directory: not under the private /tmp of a test runner
        root = Files.createTempDirectory(Path.of("/var/tmp"), "state-walk-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path store = Files.createDirectories(root.resolve("images"));
        TinyGuestImage.write(store.resolve("tiny"));
        images = ImageCaches.open(ImageCacheSettings.defaults(root.resolve("state"), store.toUri()));
        driver = LibvirtComputeDriver.connect(LibvirtDriverSettings.defaults("qemu:///system", VirtType.QEMU));
    }

    @AfterAll
    static void disconnect() throws Exception {
        if (driver != null) {
            driver.close();
        }
        if (images != null) {
            images.close();
        }
        if (root != null) {
            TestFiles.deleteTree(root);
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
    protected ImageCache images() {
        return images;
    }

    @Override
    protected Path stateDir() {
        return root.resolve("state");
    }
}

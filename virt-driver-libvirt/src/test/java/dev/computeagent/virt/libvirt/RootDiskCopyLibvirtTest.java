package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.RootDiskCopy;
import dev.computeagent.virt.libvirt.testing.Virsh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The root disk copy of a snapshot on libvirtd + QEMU with the tiny guest (a qcow2 overlay on a raw base,
 * a guest agent channel nobody answers): running, a disk-only external snapshot, the frozen chain converted, the
 * overlay committed back, so that the domain runs on its own disk again (live and persistent definition) with no
 * job and no overlay left, and the copy holds the guest's disk content; an overlay left by a copy cut short is
 * committed back by the next copy; stopped, a {@code qemu-img convert} of the chain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RootDiskCopyLibvirtTest {

    private GuestDisks disks;
    private LibvirtComputeDriver driver;
    private final UUID uuid = UUID.randomUUID();
    private Path overlay;

    @BeforeAll
    void spawn() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        disks = new GuestDisks();
        driver = LibvirtComputeDriver.connect(LibvirtTestSupport.settings());
        DiskSpec root = disks.overlay(uuid);
        overlay = root.path();
        driver.spawn(new InstanceSpec(uuid, new InstanceMetadata("copy", new Flavor(1, 64, 1, 0), "tiny", "test-host",
                Map.of(), Map.of()), List.of(root), List.of(), disks.consoleLog(uuid), false, true));
        await().atMost(Duration.ofSeconds(20)).until(() -> disks.bootCount(uuid) == 1);
    }

    @AfterAll
    void cleanUp() {
        if (driver != null) {
            driver.destroy(uuid);
            driver.close();
        }
        if (disks != null) {
            disks.close();
        }
    }

    @Test
    @Order(1)
    void aRunningInstanceIsCopiedAndKeepsRunningOnItsOwnDisk() {
        Path target = disks.instanceDir(uuid).resolve("snapshot.qcow2");

        RootDiskCopy copy = driver.copyRootDisk(uuid, target);

        assertThat(copy.consistency()).isEqualTo(RootDiskCopy.Consistency.CRASH_CONSISTENT);
        assertStandaloneCopyOfTheGuestDisk(target);
        assertRunningOnItsOwnDisk();
    }

    @Test
    @Order(2)
    void anOverlayLeftByACopyCutShortIsCommittedBackByTheNextCopy() throws Exception {
        Path left = Path.of(overlay + ".snapshot-overlay");
        Virsh.run("snapshot-create-as", uuid.toString(), "--disk-only", "--no-metadata", "--atomic",
                "--diskspec", "vda,snapshot=external,file=" + left);
        assertThat(Virsh.run("dumpxml", uuid.toString())).contains(left.toString());
        Path target = disks.instanceDir(uuid).resolve("snapshot-after-cut.qcow2");

        driver.copyRootDisk(uuid, target);

        assertStandaloneCopyOfTheGuestDisk(target);
        assertRunningOnItsOwnDisk();
        Files.delete(target);
    }

    @Test
    @Order(3)
    void anOverlayLeftByACopyCutShortIsCommittedBackByFinishInterruptedCopyAndNothingElseIsDone() throws Exception {
        driver.finishInterruptedCopy(uuid);
        assertRunningOnItsOwnDisk();

        Path left = Path.of(overlay + ".snapshot-overlay");
        Virsh.run("snapshot-create-as", uuid.toString(), "--disk-only", "--no-metadata", "--atomic",
                "--diskspec", "vda,snapshot=external,file=" + left);
        assertThat(Virsh.run("dumpxml", uuid.toString())).contains(left.toString());

        driver.finishInterruptedCopy(uuid);

        assertRunningOnItsOwnDisk();
    }

    private void assertRunningOnItsOwnDisk() {
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        for (String xml : new String[] {Virsh.run("dumpxml", uuid.toString()),
                Virsh.run("dumpxml", "--inactive", uuid.toString())}) {
            assertThat(xml).contains("<source file='" + overlay + "'").doesNotContain("snapshot-overlay")
                    .doesNotContain("snapshot.qcow2");
        }
        assertThat(Virsh.run("blockjob", uuid.toString(), "vda", "--info")).doesNotContain("Block");
        assertThat(Path.of(overlay + ".snapshot-overlay")).doesNotExist();
    }

    @Test
    @Order(4)
    void aStoppedInstanceIsCopiedByConvertingItsChain() throws Exception {
        driver.stop(uuid, Duration.ZERO);
        Path target = disks.instanceDir(uuid).resolve("snapshot-stopped.qcow2");

        RootDiskCopy copy = driver.copyRootDisk(uuid, target);

        assertThat(copy.consistency()).isEqualTo(RootDiskCopy.Consistency.STOPPED);
        assertStandaloneCopyOfTheGuestDisk(target);
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
        Files.delete(target);
    }

    @Test
    @Order(5)
    void anUnknownInstanceIsNotFoundAndNothingIsWritten() {
        Path target = disks.root().resolve("nobody.qcow2");
        assertThatThrownBy(() -> driver.copyRootDisk(UUID.randomUUID(), target))
                .isInstanceOf(InstanceNotFoundException.class);
        assertThat(target).doesNotExist();
    }

    private void assertStandaloneCopyOfTheGuestDisk(Path target) {
        String info = Commands.check("qemu-img", "info", "-U", "--output=json", target.toString());
        assertThat(info).contains("\"format\": \"qcow2\"").doesNotContain("backing-filename");
        // same guest-visible content as the overlay over its base
        Commands.check("qemu-img", "compare", "-U", "-f", "qcow2", "-F", "qcow2", overlay.toString(),
                target.toString());
    }
}

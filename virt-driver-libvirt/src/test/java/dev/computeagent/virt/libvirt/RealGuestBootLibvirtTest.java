package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.libvirt.domain.DomainType;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import dev.computeagent.virt.libvirt.domain.HostCapabilities;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.RealGuestImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The real Linux test guest (Debian 12 cloud image: SeaBIOS, GRUB, the cloud kernel, systemd) booted
 * through the libvirt driver until its kernel has handed over to userspace: systemd's greeting on the
 * serial console. Under TCG always; under KVM where the host CPU virtualises in hardware. On a host whose
 * {@code /dev/kvm} is a software KVM (no VT-x/AMD-V, such as PVM in a cloud VM), a real kernel is not
 * booted under KVM: its instructions are emulated one by one and it needs minutes to print its first
 * line (docs/virtualisation.md); there the KVM case asserts that {@code auto} never chooses it. Each boot
 * stops as soon as the greeting appears.
 */
class RealGuestBootLibvirtTest {

    /** The kernel's first line. */
    static final String KERNEL = "Linux version";
    /**
     * Printed by systemd, PID 1, once the kernel has started userspace from the root file system (with
     * the colour codes around the name removed).
     */
    static final String USERSPACE = "Welcome to Debian GNU/Linux 12";
    private static final Duration BOOT_DEADLINE = Duration.ofMinutes(5);

    @Test
    void underTcgTheKernelReachesUserspace() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        bootsToUserspace(VirtType.QEMU);
    }

    @Test
    void underKvmTheKernelReachesUserspaceWhereTheCpuVirtualisesElseAutoKeepsToTcg() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        HostCapabilities capabilities = HostCapabilities.parse(Virsh.run("capabilities"));
        if (capabilities.supports(DomainType.KVM) && capabilities.virtualisesInHardware()) {
            bootsToUserspace(VirtType.KVM);
            return;
        }
        assertThat(VirtTypeProbe.resolve("auto", LibvirtTestSupport.URI))
                .as("libvirt offers %s on a CPU with features %s: no hardware KVM here, so auto must choose TCG",
                        capabilities.domainTypes(), capabilities.hostCpuFeatures())
                .isEqualTo(VirtType.QEMU);
    }

    private static void bootsToUserspace(VirtType virtType) {
        UUID uuid = UUID.randomUUID();
        try (GuestDisks disks = new GuestDisks();
             LibvirtComputeDriver driver = LibvirtComputeDriver.connect(
                     LibvirtDriverSettings.defaults(LibvirtTestSupport.URI, virtType))) {
            // a copy: libvirt hands every image of the chain to the QEMU user, the shared cached one too
            Path image = copy(RealGuestImage.path(), disks.root().resolve("debian-12.qcow2"));
            InstanceMetadata metadata = new InstanceMetadata("real guest " + virtType.xmlName(),
                    new Flavor(1, 512, 2, 0), "debian-12", "test-host", Map.of(), Map.of());
            Path console = disks.consoleLog(uuid);
            try {
                driver.spawn(new InstanceSpec(uuid, metadata, List.of(disks.overlayOn(image, "qcow2", uuid)),
                        List.of(), console, false));
                assertThat(DomainXml.parse(Virsh.run("dumpxml", uuid.toString())).type())
                        .isEqualTo(virtType.domainType());

                try {
                    await().atMost(BOOT_DEADLINE).pollInterval(Duration.ofSeconds(1))
                            .until(() -> read(console).contains(USERSPACE));
                } catch (ConditionTimeoutException e) {
                    String log = read(console);
                    throw new AssertionError("no '" + USERSPACE + "' on the console within " + BOOT_DEADLINE
                            + " under " + virtType.xmlName() + "; its end:\n"
                            + log.substring(Math.max(0, log.length() - 3000)), e);
                }
                String log = read(console);
                assertThat(log.indexOf(KERNEL)).as("the kernel printed before userspace").isBetween(0,
                        log.indexOf(USERSPACE));
                assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
            } finally {
                driver.destroy(uuid);
            }
        }
    }

    private static Path copy(Path from, Path to) {
        try {
            return Files.copy(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The console log without its colour and cursor escape sequences. */
    private static String read(Path log) {
        try {
            return Files.exists(log)
                    ? Files.readString(log, StandardCharsets.ISO_8859_1).replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "")
                    : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * With the virt type resolved as in production ({@code auto}: libvirt's capabilities, kvm where its
 * QEMU can use /dev/kvm on a CPU with VT-x or AMD-V, else qemu), a guest boots: the other tests pin TCG
 * for speed, this one proves the accelerated path on hosts that have it.
 */
class LibvirtDriverVirtTypeLibvirtTest {

    @Test
    void guestBootsWithTheDetectedVirtType() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        VirtType detected = VirtTypeProbe.resolve("auto", LibvirtTestSupport.URI);
        HostCapabilities capabilities = HostCapabilities.parse(Virsh.run("capabilities"));
        boolean hardwareKvm = capabilities.supports(DomainType.KVM) && capabilities.virtualisesInHardware();
        assertThat(detected).as("what virsh capabilities offers").isEqualTo(hardwareKvm ? VirtType.KVM : VirtType.QEMU);
        UUID uuid = UUID.randomUUID();
        try (GuestDisks disks = new GuestDisks();
             LibvirtComputeDriver driver = LibvirtComputeDriver.connect(LibvirtDriverSettings.defaults(
                     LibvirtTestSupport.URI, detected))) {
            InstanceMetadata metadata = new InstanceMetadata("virt type", new Flavor(1, 64, 1, 0), "tiny",
                    "test-host", Map.of(), Map.of());
            try {
                driver.spawn(new InstanceSpec(uuid, metadata, List.of(disks.overlay(uuid)), List.of(),
                        disks.consoleLog(uuid), false));

                await().atMost(Duration.ofSeconds(30)).until(() -> disks.bootCount(uuid) == 1);
                assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
                assertThat(DomainXml.parse(Virsh.run("dumpxml", uuid.toString())).type())
                        .isEqualTo(detected.domainType());
                assertThat(driver.hostResources().virtType()).isEqualTo(detected.xmlName());
            } finally {
                driver.destroy(uuid);
            }
        }
    }

    @Test
    void anUnreachableLibvirtLeavesAutoToThisProcesssOwnDevKvm() {
        assertThat(VirtTypeProbe.resolve("AUTO", "qemu+unix:///system?socket=/nonexistent/libvirt-sock"))
                .isEqualTo(VirtType.detect());
        assertThat(VirtTypeProbe.resolve("qemu", "qemu+unix:///system?socket=/nonexistent/libvirt-sock"))
                .isEqualTo(VirtType.QEMU);
    }
}

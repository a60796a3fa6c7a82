package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.libvirt.designer.VirtType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The driver survives libvirtd being unreachable at start and going away later: a unix-socket
 * proxy in front of the real daemon plays a libvirtd that stops and comes back.
 */
class LibvirtDriverReconnectLibvirtTest {

    private static final Path LIBVIRT_SOCKET = Path.of("/run/libvirt/libvirt-sock");

    @Test
    void driverStartedWithoutLibvirtdConnectsWhenItAppearsAndReconnectsAfterItWentAway() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        try (GuestDisks disks = new GuestDisks();
             UnixSocketProxy libvirtd = new UnixSocketProxy(disks.root().resolve("proxied-sock"), LIBVIRT_SOCKET)) {
            LibvirtDriverSettings settings = LibvirtDriverSettings
                    .defaults("qemu+unix:///system?socket=" + disks.root().resolve("proxied-sock"), VirtType.QEMU)
                    .withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(300));
            assertThat(Files.exists(LIBVIRT_SOCKET)).isTrue();

            try (LibvirtComputeDriver driver = LibvirtComputeDriver.connect(settings)) {
                assertThat(driver.isConnected()).isFalse();
                assertThatThrownBy(() -> driver.info(UUID.randomUUID()))
                        .isInstanceOf(HypervisorUnavailableException.class)
                        .matches(e -> ((DriverException) e).retriable());

                libvirtd.start();
                await().atMost(Duration.ofSeconds(10)).until(driver::isConnected);
                assertThat(driver.hostResources().vcpus()).isPositive();

                libvirtd.stop();
                await().atMost(Duration.ofSeconds(10)).until(() -> !driver.isConnected());
                assertThatThrownBy(driver::listInstances).isInstanceOf(HypervisorUnavailableException.class);

                libvirtd.start();
                await().atMost(Duration.ofSeconds(10)).until(driver::isConnected);
                assertThat(driver.listInstances()).isNotNull();
                assertThat(driver.connectionManager().connectCount()).isEqualTo(2);
            }
        }
    }

    @Test
    void hungLibvirtdIsDetectedByKeepaliveAndTheDriverReconnects() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        try (GuestDisks disks = new GuestDisks();
             UnixSocketProxy libvirtd = new UnixSocketProxy(disks.root().resolve("proxied-sock"), LIBVIRT_SOCKET)) {
            libvirtd.start();
            LibvirtDriverSettings settings = LibvirtDriverSettings
                    .defaults("qemu+unix:///system?socket=" + disks.root().resolve("proxied-sock"), VirtType.QEMU)
                    .withKeepalive(Duration.ofSeconds(1), 1)
                    .withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(300));
            try (LibvirtComputeDriver driver = LibvirtComputeDriver.connect(settings)) {
                assertThat(driver.isConnected()).isTrue();

                libvirtd.freeze();
                await().atMost(Duration.ofSeconds(15)).until(() -> !driver.isConnected());

                libvirtd.thaw();
                await().atMost(Duration.ofSeconds(10)).until(() -> driver.isConnected()
                        && driver.connectionManager().connectCount() == 2);
                assertThat(driver.hostResources().vcpus()).isPositive();
            }
        }
    }
}

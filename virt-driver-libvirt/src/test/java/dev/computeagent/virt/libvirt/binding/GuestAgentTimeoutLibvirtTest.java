package dev.computeagent.virt.libvirt.binding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.AddressSource;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The guest agent's response timeout is really set through the native call libvirt-java lacks, and a
 * domain whose guest agent channel has no agent behind it answers address queries with nothing, at once.
 */
class GuestAgentTimeoutLibvirtTest {

    private static final String URI = "qemu:///system";

    @Test
    void theResponseTimeoutIsSetAndASilentGuestAgentIsNoSourceOfAddresses() throws Exception {
        Prerequisites.requireLibvirt(URI);
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "ca-agent-timeout-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path disk = TinyGuestImage.write(dir.resolve("disk.raw"));
        UUID uuid = UUID.randomUUID();
        // the tiny guest has no guest agent: the channel exists, nothing ever answers on it
        String xml = "<domain type='qemu'><name>ca-agent-timeout-" + uuid + "</name><uuid>" + uuid + "</uuid>"
                + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" + disk
                + "'/><target dev='vda' bus='virtio'/><readonly/></disk>"
                + "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
                + "</devices></domain>";
        try (LibvirtConnection connection = LibvirtConnection.open(URI, Duration.ofSeconds(5), 3, reason -> { });
             DomainHandle domain = connection.define(xml)) {
            try {
                domain.create();

                assertThat(GuestAgentTimeout.limit(domain.raw(), Duration.ofSeconds(5))).isTrue();
                long started = System.nanoTime();
                assertThat(domain.interfaceAddresses(AddressSource.GUEST_AGENT)).isEmpty();
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            } finally {
                domain.destroy();
                domain.undefine();
            }
        } finally {
            Files.deleteIfExists(disk);
            Files.deleteIfExists(dir);
        }
    }
}

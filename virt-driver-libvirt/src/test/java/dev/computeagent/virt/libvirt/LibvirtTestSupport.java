package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.libvirt.designer.VirtType;
import java.time.Duration;

/** The real libvirtd the driver tests use, and settings with test-friendly timings. */
final class LibvirtTestSupport {

    static final String URI = "qemu:///system";

    private LibvirtTestSupport() {
    }

    /** Fails (CI) or skips unless libvirtd answers and qemu-img exists. */
    static void requireLibvirtAndQemuImg() {
        Prerequisites.requireLibvirt(URI);
        Prerequisites.requireQemuImg();
    }

    /**
     * TCG guests (boot in ~0.1 s instead of ~3.5 s under nested KVM, and work on every machine),
     * ACPI re-sent every 500 ms, fast reconnects.
     */
    static LibvirtDriverSettings settings() {
        return LibvirtDriverSettings.defaults(URI, VirtType.QEMU)
                .withStopResendInterval(Duration.ofMillis(500))
                .withReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    }
}

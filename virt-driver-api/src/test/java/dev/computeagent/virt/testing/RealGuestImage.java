package dev.computeagent.virt.testing;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.testing.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The real Linux test guest: a Debian 12 cloud image (cloud kernel, systemd, cloud-init reading the
 * ConfigDrive data source, qemu-guest-agent, a DHCP client, GRUB on {@code ttyS0}) built from Debian
 * packages by the project's {@code scripts/build-guest-image.sh} and cached outside the repository by
 * a hash of its recipe, so a machine builds it once.
 *
 * <p>A machine that cannot build it (not root, no {@code mmdebstrap}) fails the calling test under
 * {@code CI=true} and skips it elsewhere, with what to install.
 */
public final class RealGuestImage {

    /** The compressed qcow2's virtual size. */
    public static final long VIRTUAL_SIZE_BYTES = 2L << 30;
    /**
     * The virt type ({@code agent.libvirt.virt-type}) every real-guest test boots it under, the one place
     * to change it: {@code auto}, the agent's default, which picks KVM only where the CPU virtualises in
     * hardware (VT-x/AMD-V) and TCG elsewhere, including hosts whose {@code /dev/kvm} is a software KVM
     * that cannot run a distro kernel in useful time (docs/virtualisation.md).
     */
    public static final String VIRT_TYPE = "auto";
    private static final String SCRIPT = "scripts/build-guest-image.sh";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);
    private static volatile Path cached;

    private RealGuestImage() {
    }

    /** The image's path, built by the script the first time on this machine (~80 s). */
    public static synchronized Path path() {
        if (cached != null && Files.isRegularFile(cached)) {
            return cached;
        }
        Prerequisites.require("mmdebstrap (to build the real Linux test guest)",
                Prerequisites.commandSucceeds("mmdebstrap", "--version"), "run scripts/host-setup.sh as root");
        Path script = findScript();
        ProcessResult built = Commands.run(BUILD_TIMEOUT, "bash", script.toString());
        if (built.exitCode() != 0) {
            throw new IllegalStateException(SCRIPT + " failed with exit code " + built.exitCode() + ": "
                    + built.stderr());
        }
        Path image = Path.of(built.stdout());
        if (!Files.isRegularFile(image)) {
            throw new IllegalStateException(SCRIPT + " printed no image path (" + image + "): " + built.stderr());
        }
        cached = image;
        return image;
    }

    /** The script, found from the module's directory upwards (tests run in the module's directory). */
    private static Path findScript() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(SCRIPT);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(SCRIPT + " not found above " + Path.of("").toAbsolutePath());
    }
}

package dev.computeagent.virt.libvirt.testing;

import dev.computeagent.hostio.testing.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * libvirt's own command-line view, to check the driver's and the agent's claims independently, and to
 * remove what a failed test left; every call goes through {@link Commands}.
 */
public final class Virsh {

    /** The system libvirtd every test shares. */
    public static final String SYSTEM = "qemu:///system";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Virsh() {
    }

    /** {@code virsh -c qemu:///system <args>}, which must succeed: its stdout. */
    public static String run(String... args) {
        return on(SYSTEM, args);
    }

    /** {@code virsh -c <uri> <args>}, which must succeed: its stdout. */
    public static String on(String uri, String... args) {
        List<String> command = new ArrayList<>(List.of("virsh", "-c", uri));
        command.addAll(List.of(args));
        return Commands.check(TIMEOUT, command);
    }

    /** {@code virsh domstate}, e.g. {@code running}, {@code shut off}; empty when libvirt knows no such domain. */
    public static String domstate(UUID uuid) {
        try {
            return run("domstate", uuid.toString()).strip();
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("failed to get domain")) {
                return "";
            }
            throw e;
        }
    }

    /** Names of all domains (running or not) on qemu:///system. */
    public static List<String> allDomains() {
        return Arrays.stream(run("list", "--all", "--name").split("\n")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Destroys and undefines the domains {@code instance-<uuid>} whose instance directory is under
     * {@code stateDir}: what a failed test left of its own agent's work, never anyone else's.
     */
    public static void removeDomainsOf(Path stateDir) {
        for (String name : allDomains()) {
            if (name.startsWith("instance-")
                    && Files.isDirectory(stateDir.resolve("instances").resolve(name.substring("instance-".length())))) {
                try {
                    run("destroy", name);
                } catch (IllegalStateException ignored) {
                    // not running
                }
                run("undefine", name);
            }
        }
    }

    /** A minimal domain XML booting {@code disk} (raw), without the agent's metadata. */
    public static String foreignDomainXml(String name, UUID uuid, Path disk) {
        return "<domain type='qemu'><name>" + name + "</name><uuid>" + uuid + "</uuid>"
                + "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" + disk + "'/>"
                + "<target dev='vda' bus='virtio'/><readonly/></disk></devices></domain>";
    }
}

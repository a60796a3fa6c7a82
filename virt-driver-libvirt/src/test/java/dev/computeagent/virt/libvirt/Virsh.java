package dev.computeagent.virt.libvirt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/** libvirt's own command-line view, to check the driver's claims independently. */
final class Virsh {

    private Virsh() {
    }

    static String run(String... args) {
        String[] command = new String[args.length + 3];
        command[0] = "virsh";
        command[1] = "-c";
        command[2] = LibvirtTestSupport.URI;
        System.arraycopy(args, 0, command, 3, args.length);
        return ExternalCommand.run(Duration.ofSeconds(30), command);
    }

    /** {@code virsh domstate}, e.g. {@code running}, {@code shut off}; empty when libvirt knows no such domain. */
    static String domstate(UUID uuid) {
        try {
            return run("domstate", uuid.toString()).strip();
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("failed to get domain")) {
                return "";
            }
            throw e;
        }
    }

    /** A minimal domain XML booting {@code disk} (raw), without the agent's metadata. */
    static String foreignDomainXml(String name, UUID uuid, Path disk) {
        return "<domain type='qemu'><name>" + name + "</name><uuid>" + uuid + "</uuid>"
                + "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" + disk + "'/>"
                + "<target dev='vda' bus='virtio'/><readonly/></disk></devices></domain>";
    }
}

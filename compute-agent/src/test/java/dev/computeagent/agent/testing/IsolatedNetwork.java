package dev.computeagent.agent.testing;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.libvirt.testing.Virsh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A transient libvirt network of the test's own: a bridge with no forwarding (guests reach nothing
 * but each other and libvirt's dnsmasq, which hands out DHCP leases on a /24 of 10.213.0.0/16 no
 * route of this host uses yet). Destroyed on close; libvirt forgets it then.
 */
public final class IsolatedNetwork implements AutoCloseable {

    private final String name;
    private final String prefix;

    private IsolatedNetwork(String name, String prefix) {
        this.name = name;
        this.prefix = prefix;
    }

    public static IsolatedNetwork create() {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String routes = Commands.check("ip", "-4", "route");
        String prefix;
        do {
            prefix = "10.213." + ThreadLocalRandom.current().nextInt(1, 255);
        } while (routes.contains(prefix + "."));
        String xml = "<network><name>ca-it-" + id + "</name><bridge name='vit" + id + "' stp='off'/>"
                + "<ip address='" + prefix + ".1' netmask='255.255.255.0'><dhcp><range start='" + prefix
                + ".10' end='" + prefix + ".99'/></dhcp></ip></network>";
        try {
            Path file = Files.createTempFile("network-", ".xml");
            Files.writeString(file, xml);
            Virsh.run("net-create", file.toString());
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new IsolatedNetwork("ca-it-" + id, prefix);
    }

    /** The libvirt network name, for a spawn's {@code nics[].source}. */
    public String name() {
        return name;
    }

    /** The first three octets of its subnet, e.g. {@code 10.213.7}. */
    public String prefix() {
        return prefix;
    }

    @Override
    public void close() {
        Virsh.run("net-destroy", name);
    }
}

package dev.computeagent.virt.libvirt.domain;

import dev.computeagent.virt.network.Ipv4Subnet;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A libvirt {@code <network>}, the part of it the agent defines and reads back.
 *
 * @param name    the network's name
 * @param uuid    its uuid
 * @param forward {@code <forward mode=…>}; absent = an isolated network
 * @param bridge  {@code <bridge name=…>}: the host bridge (libvirt picks {@code virbrN} when absent and
 *                creates it; with {@link ForwardMode#BRIDGE} it must exist)
 * @param ip      {@code <ip>} with its {@code <dhcp><range>}; absent for a bridge network
 */
public record LibvirtNetwork(String name, UUID uuid, Optional<ForwardMode> forward, Optional<String> bridge,
                             Optional<Ipv4Subnet> ip) {

    /** The {@code mode} of {@code <forward>} the agent uses. */
    public enum ForwardMode implements XmlValue {
        NAT("nat"),
        BRIDGE("bridge");

        private final String xmlName;

        ForwardMode(String xmlName) {
            this.xmlName = xmlName;
        }

        @Override
        public String xmlName() {
            return xmlName;
        }
    }

    public LibvirtNetwork {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(forward, "forward");
        Objects.requireNonNull(bridge, "bridge");
        Objects.requireNonNull(ip, "ip");
    }
}

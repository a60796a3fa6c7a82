package dev.computeagent.virt.libvirt.domain;

import static dev.computeagent.virt.libvirt.domain.XmlSupport.append;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.appendText;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.attr;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.child;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.optAttr;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.requiredAttr;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.requiredChild;

import dev.computeagent.virt.network.Ipv4Subnet;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Converts a {@link LibvirtNetwork} to libvirt network XML and back. Rendering is deterministic; parsing ignores
 * what libvirt adds ({@code <mac>}, {@code <nat><port>}, bridge {@code stp}/{@code delay}).
 */
public final class NetworkXml {

    private NetworkXml() {
    }

    /** @throws DomainXmlException a string of the model cannot be carried by XML 1.0 */
    public static String render(LibvirtNetwork network) {
        Document document = XmlSupport.newDocument();
        Element root = document.createElement("network");
        document.appendChild(root);
        appendText(root, "name", network.name());
        appendText(root, "uuid", network.uuid().toString().toLowerCase(Locale.ROOT));
        network.forward().ifPresent(mode -> attr(append(root, "forward"), "mode", mode.xmlName()));
        network.bridge().ifPresent(bridge -> attr(append(root, "bridge"), "name", bridge));
        network.ip().ifPresent(subnet -> {
            Element ip = append(root, "ip");
            attr(ip, "address", subnet.gateway());
            attr(ip, "netmask", subnet.netmask());
            Element range = append(append(ip, "dhcp"), "range");
            attr(range, "start", subnet.dhcpStart());
            attr(range, "end", subnet.dhcpEnd());
        });
        return XmlSupport.serialize(root);
    }

    /**
     * @throws DomainXmlException malformed XML, not a {@code <network>}, a forward mode the model does not know,
     *                            an {@code <ip>} without a DHCP range or with values the model refuses
     */
    public static LibvirtNetwork parse(String xml) {
        Element root = XmlSupport.parse(xml).getDocumentElement();
        if (!"network".equals(root.getLocalName())) {
            throw new DomainXmlException("not a <network>: <" + root.getLocalName() + ">");
        }
        String name = requiredChild(root, "name").getTextContent().strip();
        UUID uuid;
        try {
            uuid = UUID.fromString(requiredChild(root, "uuid").getTextContent().strip());
        } catch (IllegalArgumentException e) {
            throw new DomainXmlException("<network> " + name + " has an invalid <uuid>", e);
        }
        Optional<LibvirtNetwork.ForwardMode> forward = child(root, "forward").map(f -> forwardMode(name, f));
        Optional<String> bridge = child(root, "bridge").flatMap(b -> optAttr(b, "name"));
        Optional<Ipv4Subnet> ip = child(root, "ip").map(NetworkXml::subnet);
        return new LibvirtNetwork(name, uuid, forward, bridge, ip);
    }

    private static LibvirtNetwork.ForwardMode forwardMode(String network, Element forward) {
        String mode = optAttr(forward, "mode").orElse("nat");
        for (LibvirtNetwork.ForwardMode known : LibvirtNetwork.ForwardMode.values()) {
            if (known.xmlName().equals(mode)) {
                return known;
            }
        }
        throw new DomainXmlException("<network> " + network + " has a forward mode the model does not know: " + mode);
    }

    private static Ipv4Subnet subnet(Element ip) {
        String address = requiredAttr(ip, "address");
        int prefix = optAttr(ip, "prefix").map(p -> XmlSupport.parseInt("<ip prefix>", p))
                .orElseGet(() -> prefixOf(requiredAttr(ip, "netmask")));
        Element range = requiredChild(requiredChild(ip, "dhcp"), "range");
        try {
            return new Ipv4Subnet(address, prefix, requiredAttr(range, "start"), requiredAttr(range, "end"));
        } catch (IllegalArgumentException e) {
            throw new DomainXmlException("<ip> the model refuses: " + e.getMessage(), e);
        }
    }

    private static int prefixOf(String netmask) {
        String[] octets = netmask.split("\\.");
        if (octets.length != 4) {
            throw new DomainXmlException("<ip netmask> is not a dotted netmask: " + netmask);
        }
        long bits = 0;
        for (String octet : octets) {
            bits = bits << 8 | XmlSupport.parseInt("<ip netmask>", octet);
        }
        int prefix = Long.bitCount(bits);
        if (bits != ((0xffffffffL << (32 - prefix)) & 0xffffffffL)) {
            throw new DomainXmlException("<ip netmask> is not contiguous: " + netmask);
        }
        return prefix;
    }
}

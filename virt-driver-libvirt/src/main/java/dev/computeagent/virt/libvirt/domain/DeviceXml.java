package dev.computeagent.virt.libvirt.domain;

import org.w3c.dom.Element;

/**
 * One device as the XML fragment that {@code virDomainAttachDeviceFlags} and
 * {@code virDomainDetachDeviceFlags} take, rendered exactly as inside a whole domain.
 */
public final class DeviceXml {

    private DeviceXml() {
    }

    public static String render(Disk disk) {
        Element devices = XmlSupport.newDocument().createElement("devices");
        DomainXmlWriter.writeDisk(devices, disk);
        return XmlSupport.serialize(devices.getFirstChild());
    }

    public static String render(NetworkDisk disk) {
        Element devices = XmlSupport.newDocument().createElement("devices");
        DomainXmlWriter.writeNetworkDisk(devices, disk);
        return XmlSupport.serialize(devices.getFirstChild());
    }

    public static String render(NetInterface nic) {
        Element devices = XmlSupport.newDocument().createElement("devices");
        DomainXmlWriter.writeInterface(devices, nic);
        return XmlSupport.serialize(devices.getFirstChild());
    }
}

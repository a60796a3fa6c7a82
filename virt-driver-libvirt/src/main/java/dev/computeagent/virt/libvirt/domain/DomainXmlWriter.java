package dev.computeagent.virt.libvirt.domain;

import static dev.computeagent.virt.libvirt.domain.XmlSupport.append;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.appendText;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.attr;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Builds the DOM of a {@link Domain}; the order of elements follows libvirt's own output. */
final class DomainXmlWriter {

    private DomainXmlWriter() {
    }

    static Document write(Domain domain) {
        Document document = XmlSupport.newDocument();
        Element root = document.createElement("domain");
        document.appendChild(root);
        attr(root, "type", domain.type().xmlName());
        appendText(root, "name", domain.name());
        appendText(root, "uuid", domain.uuid().toString().toLowerCase(Locale.ROOT));
        domain.agentMetadata().ifPresent(m ->
                append(root, "metadata").appendChild(AgentMetadata.toElement(document, m, AgentMetadata.NAMESPACE)));
        attr(appendText(root, "memory", Long.toString(domain.memoryKib())), "unit", "KiB");
        appendText(root, "vcpu", Integer.toString(domain.vcpus()));
        writeOs(root, domain.os());
        if (!domain.features().isEmpty()) {
            Element features = append(root, "features");
            for (Feature feature : Feature.values()) {
                if (domain.features().contains(feature)) {
                    append(features, feature.xmlName());
                }
            }
        }
        domain.cpu().ifPresent(cpu -> {
            Element element = append(root, "cpu");
            attr(element, "mode", cpu.mode().xmlName());
            cpu.model().ifPresent(model -> appendText(element, "model", model));
            for (CpuFeature feature : cpu.features()) {
                Element featureElement = append(element, "feature");
                attr(featureElement, "policy", feature.policy().xmlName());
                attr(featureElement, "name", feature.name());
            }
        });
        attr(append(root, "clock"), "offset", domain.clock().xmlName());
        appendText(root, "on_poweroff", domain.lifecycle().onPoweroff().xmlName());
        appendText(root, "on_reboot", domain.lifecycle().onReboot().xmlName());
        appendText(root, "on_crash", domain.lifecycle().onCrash().xmlName());
        writeDevices(append(root, "devices"), domain.devices());
        return document;
    }

    private static void writeOs(Element root, Os os) {
        Element element = append(root, "os");
        Element type = appendText(element, "type", "hvm");
        os.arch().ifPresent(arch -> attr(type, "arch", arch));
        os.machine().ifPresent(machine -> attr(type, "machine", machine));
        for (BootDevice boot : os.boot()) {
            attr(append(element, "boot"), "dev", boot.xmlName());
        }
    }

    private static void writeDevices(Element devices, Devices model) {
        model.emulator().ifPresent(emulator -> appendText(devices, "emulator", emulator));
        model.disks().forEach(disk -> writeDisk(devices, disk));
        model.networkDisks().forEach(disk -> writeNetworkDisk(devices, disk));
        model.interfaces().forEach(nic -> writeInterface(devices, nic));
        model.serials().forEach(serial -> writeSerial(devices, serial));
        model.consoles().forEach(console -> writeConsole(devices, console));
        model.channels().forEach(channel -> writeChannel(devices, channel));
        model.graphics().forEach(graphics -> writeGraphics(devices, graphics));
        model.rngs().forEach(rng -> writeRng(devices, rng));
        model.memBalloon().ifPresent(balloon -> attr(append(devices, "memballoon"), "model", balloon.model().xmlName()));
        if (model.pcieRootPorts() > 0) {
            // the machine's root complex is index 0; the ports follow it, libvirt chooses their addresses
            Element root = append(devices, "controller");
            attr(root, "type", "pci");
            attr(root, "index", "0");
            attr(root, "model", "pcie-root");
            for (int i = 1; i <= model.pcieRootPorts(); i++) {
                Element port = append(devices, "controller");
                attr(port, "type", "pci");
                attr(port, "index", Integer.toString(i));
                attr(port, "model", "pcie-root-port");
            }
        }
    }

    static Element writeExternalDiskSnapshot(String dev, Path overlay, List<String> otherDevs) {
        Document document = XmlSupport.newDocument();
        Element snapshot = document.createElement("domainsnapshot");
        document.appendChild(snapshot);
        Element disks = append(snapshot, "disks");
        Element disk = append(disks, "disk");
        attr(disk, "name", dev);
        attr(disk, "snapshot", "external");
        attr(disk, "type", "file");
        attr(append(disk, "driver"), "type", "qcow2");
        attr(append(disk, "source"), "file", overlay.toString());
        for (String other : otherDevs) {
            Element skipped = append(disks, "disk");
            attr(skipped, "name", other);
            attr(skipped, "snapshot", "no");
        }
        return snapshot;
    }

    static void writeDisk(Element devices, Disk disk) {
        Element element = append(devices, "disk");
        attr(element, "type", disk.sourceType().xmlName());
        attr(element, "device", disk.device().xmlName());
        Element driver = append(element, "driver");
        attr(driver, "name", "qemu");
        attr(driver, "type", disk.format().xmlName());
        disk.cache().ifPresent(cache -> attr(driver, "cache", cache.xmlName()));
        disk.io().ifPresent(io -> attr(driver, "io", io.xmlName()));
        Element source = append(element, "source");
        attr(source, disk.sourceType() == DiskSourceType.FILE ? "file" : "dev", disk.source().toString());
        Element target = append(element, "target");
        attr(target, "dev", disk.targetDev());
        attr(target, "bus", disk.bus().xmlName());
        if (disk.readOnly()) {
            append(element, "readonly");
        }
    }

    static void writeNetworkDisk(Element devices, NetworkDisk disk) {
        Element element = append(devices, "disk");
        attr(element, "type", "network");
        attr(element, "device", "disk");
        Element driver = append(element, "driver");
        attr(driver, "name", "qemu");
        attr(driver, "type", disk.format().xmlName());
        disk.cache().ifPresent(cache -> attr(driver, "cache", cache.xmlName()));
        Element source = append(element, "source");
        attr(source, "protocol", disk.protocol().xmlName());
        attr(source, "name", disk.name());
        for (DiskHost host : disk.hosts()) {
            Element hostElement = append(source, "host");
            attr(hostElement, "name", host.name());
            attr(hostElement, "port", Integer.toString(host.port()));
        }
        disk.auth().ifPresent(auth -> {
            Element authElement = append(source, "auth");
            attr(authElement, "username", auth.username());
            Element secret = append(authElement, "secret");
            attr(secret, "type", auth.type().xmlName());
            attr(secret, "uuid", auth.secret().toString());
        });
        Element target = append(element, "target");
        attr(target, "dev", disk.targetDev());
        attr(target, "bus", disk.bus().xmlName());
        if (disk.readOnly()) {
            append(element, "readonly");
        }
    }

    static void writeInterface(Element devices, NetInterface nic) {
        Element element = append(devices, "interface");
        attr(element, "type", nic.type().xmlName());
        nic.mac().ifPresent(mac -> attr(append(element, "mac"), "address", mac));
        nic.source().ifPresent(source -> attr(append(element, "source"),
                nic.type() == InterfaceType.BRIDGE ? "bridge" : "network", source));
        nic.model().ifPresent(model -> attr(append(element, "model"), "type", model));
        nic.filter().ifPresent(filter -> attr(append(element, "filterref"), "filter", filter));
    }

    private static void writeSerial(Element devices, Serial serial) {
        Element element = append(devices, "serial");
        attr(element, "type", serial.type().xmlName());
        serial.log().ifPresent(log -> {
            Element logElement = append(element, "log");
            attr(logElement, "file", log.file().toString());
            attr(logElement, "append", log.append() ? "on" : "off");
        });
        attr(append(element, "target"), "port", Integer.toString(serial.targetPort()));
    }

    private static void writeConsole(Element devices, Console console) {
        Element element = append(devices, "console");
        attr(element, "type", console.type().xmlName());
        Element target = append(element, "target");
        attr(target, "type", console.targetType().xmlName());
        attr(target, "port", Integer.toString(console.targetPort()));
    }

    private static void writeChannel(Element devices, Channel channel) {
        Element element = append(devices, "channel");
        attr(element, "type", channel.type().xmlName());
        Element target = append(element, "target");
        attr(target, "type", "virtio");
        attr(target, "name", channel.targetName());
    }

    private static void writeGraphics(Element devices, Graphics graphics) {
        Element element = append(devices, "graphics");
        attr(element, "type", graphics.type().xmlName());
        if (graphics.port().isPresent()) {
            attr(element, "port", Integer.toString(graphics.port().get()));
            attr(element, "autoport", "no");
        } else {
            attr(element, "autoport", "yes");
        }
        graphics.listen().ifPresent(address -> {
            Element listen = append(element, "listen");
            attr(listen, "type", "address");
            attr(listen, "address", address);
        });
    }

    private static void writeRng(Element devices, Rng rng) {
        Element element = append(devices, "rng");
        attr(element, "model", rng.model().xmlName());
        Element backend = appendText(element, "backend", rng.backendSource().toString());
        attr(backend, "model", "random");
    }
}

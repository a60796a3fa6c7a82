package dev.computeagent.virt.libvirt.domain;

import static dev.computeagent.virt.libvirt.domain.XmlSupport.child;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.children;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.optAttr;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.requiredAttr;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.requiredChild;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** Reads a {@link Domain} from the DOM of a libvirt domain document, ignoring what it does not model. */
final class DomainXmlReader {

    private DomainXmlReader() {
    }

    static Domain read(Element root) {
        if (root.getNamespaceURI() != null || !"domain".equals(root.getLocalName())) {
            throw new DomainXmlException("not a domain document: <" + root.getTagName() + ">");
        }
        try {
            DomainType type = XmlValue.fromXml(DomainType.class, "domain type", requiredAttr(root, "type"));
            String name = requiredChild(root, "name").getTextContent().strip();
            UUID uuid = parseUuid(requiredChild(root, "uuid").getTextContent().strip());
            long memoryKib = readMemoryKib(requiredChild(root, "memory"));
            int vcpus = XmlSupport.parseInt("<vcpu>", requiredChild(root, "vcpu").getTextContent());
            return new Domain(type, name, uuid, memoryKib, vcpus, readOs(requiredChild(root, "os")),
                    readFeatures(root), child(root, "cpu").map(DomainXmlReader::readCpu),
                    child(root, "clock").map(c -> XmlValue.fromXml(ClockOffset.class, "clock offset",
                            optAttr(c, "offset").orElse("utc"))).orElse(ClockOffset.UTC),
                    readLifecycle(root),
                    readDevices(child(root, "devices")),
                    AgentMetadata.find(root).map(AgentMetadata::fromElement));
        } catch (IllegalArgumentException e) {
            throw new DomainXmlException("invalid domain: " + e.getMessage(), e);
        }
    }

    private static UUID parseUuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new DomainXmlException("<uuid> is not a uuid: '" + text + "'", e);
        }
    }

    private static long readMemoryKib(Element memory) {
        long value = XmlSupport.parseLong("<memory>", memory.getTextContent());
        String unit = optAttr(memory, "unit").orElse("KiB");
        long bytesPerUnit = switch (unit.toLowerCase(Locale.ROOT)) {
            case "b", "bytes" -> 1L;
            case "kb" -> 1_000L;
            case "k", "kib" -> 1L << 10;
            case "mb" -> 1_000_000L;
            case "m", "mib" -> 1L << 20;
            case "gb" -> 1_000_000_000L;
            case "g", "gib" -> 1L << 30;
            case "tb" -> 1_000_000_000_000L;
            case "t", "tib" -> 1L << 40;
            default -> throw new DomainXmlException("unsupported memory unit: '" + unit + "'");
        };
        return -Math.floorDiv(-Math.multiplyExact(value, bytesPerUnit), 1024L);
    }

    private static Os readOs(Element os) {
        Element type = requiredChild(os, "type");
        List<BootDevice> boot = new ArrayList<>();
        for (Element element : children(os, "boot")) {
            boot.add(XmlValue.fromXml(BootDevice.class, "boot device", requiredAttr(element, "dev")));
        }
        return new Os(optAttr(type, "arch"), optAttr(type, "machine"), boot);
    }

    private static Set<Feature> readFeatures(Element root) {
        Set<Feature> features = EnumSet.noneOf(Feature.class);
        child(root, "features").ifPresent(element -> {
            for (Feature feature : Feature.values()) {
                child(element, feature.xmlName())
                        .filter(f -> !"off".equals(f.getAttribute("state")))
                        .ifPresent(f -> features.add(feature));
            }
        });
        return features;
    }

    private static Cpu readCpu(Element cpu) {
        CpuMode mode = XmlValue.fromXml(CpuMode.class, "cpu mode", optAttr(cpu, "mode").orElse("custom"));
        List<CpuFeature> features = new ArrayList<>();
        for (Element feature : children(cpu, "feature")) {
            features.add(new CpuFeature(XmlValue.fromXml(CpuFeaturePolicy.class, "cpu feature policy",
                    optAttr(feature, "policy").orElse("require")), requiredAttr(feature, "name")));
        }
        return new Cpu(mode, child(cpu, "model").map(m -> m.getTextContent().strip()).filter(m -> !m.isEmpty()),
                features);
    }

    private static LifecycleActions readLifecycle(Element root) {
        LifecycleActions defaults = LifecycleActions.LIBVIRT_DEFAULTS;
        return new LifecycleActions(
                readAction(root, "on_poweroff", defaults.onPoweroff()),
                readAction(root, "on_reboot", defaults.onReboot()),
                readAction(root, "on_crash", defaults.onCrash()));
    }

    private static LifecycleAction readAction(Element root, String name, LifecycleAction absent) {
        return child(root, name)
                .map(e -> XmlValue.fromXml(LifecycleAction.class, name, e.getTextContent().strip()))
                .orElse(absent);
    }

    private static Devices readDevices(Optional<Element> devicesElement) {
        if (devicesElement.isEmpty()) {
            return new Devices(Optional.empty(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                    Optional.empty(), List.of());
        }
        Element devices = devicesElement.get();
        return new Devices(
                child(devices, "emulator").map(e -> e.getTextContent().strip()),
                children(devices, "disk").stream().filter(d -> !isNetworkDisk(d)).map(DomainXmlReader::readDisk)
                        .toList(),
                children(devices, "interface").stream().map(DomainXmlReader::readInterface).toList(),
                children(devices, "serial").stream().map(DomainXmlReader::readSerial).toList(),
                children(devices, "console").stream().map(DomainXmlReader::readConsole).toList(),
                readChannels(devices),
                children(devices, "graphics").stream().map(DomainXmlReader::readGraphics).toList(),
                child(devices, "memballoon").map(e -> new MemBalloon(
                        XmlValue.fromXml(MemBalloonModel.class, "memballoon model", requiredAttr(e, "model")))),
                children(devices, "rng").stream().map(DomainXmlReader::readRng).toList(),
                children(devices, "disk").stream().filter(DomainXmlReader::isNetworkDisk)
                        .map(DomainXmlReader::readNetworkDisk).toList(),
                (int) children(devices, "controller").stream().filter(c -> "pci".equals(c.getAttribute("type"))
                        && "pcie-root-port".equals(c.getAttribute("model"))).count());
    }

    private static boolean isNetworkDisk(Element disk) {
        return "network".equals(disk.getAttribute("type"));
    }

    private static NetworkDisk readNetworkDisk(Element disk) {
        Element driver = requiredChild(disk, "driver");
        Element source = requiredChild(disk, "source");
        Element target = requiredChild(disk, "target");
        DiskProtocol protocol = XmlValue.fromXml(DiskProtocol.class, "disk protocol", requiredAttr(source, "protocol"));
        String defaultPort = protocol == DiskProtocol.ISCSI ? "3260" : "6789";
        List<DiskHost> hosts = children(source, "host").stream()
                .map(h -> new DiskHost(requiredAttr(h, "name"),
                        XmlSupport.parseInt("disk host port", optAttr(h, "port").orElse(defaultPort))))
                .toList();
        // libvirt accepts <auth> in <source> or, the older form, in <disk>
        Optional<DiskAuth> auth = child(source, "auth").or(() -> child(disk, "auth")).map(a -> {
            Element secret = requiredChild(a, "secret");
            return new DiskAuth(requiredAttr(a, "username"),
                    XmlValue.fromXml(SecretType.class, "secret type", requiredAttr(secret, "type")),
                    parseUuid(requiredAttr(secret, "uuid")));
        });
        return new NetworkDisk(protocol, requiredAttr(source, "name"), hosts, auth,
                XmlValue.fromXml(DiskFormat.class, "disk format", requiredAttr(driver, "type")),
                optAttr(driver, "cache").map(c -> XmlValue.fromXml(DiskCache.class, "disk cache mode", c)),
                requiredAttr(target, "dev"),
                XmlValue.fromXml(DiskBus.class, "disk bus", requiredAttr(target, "bus")),
                child(disk, "readonly").isPresent());
    }

    private static Disk readDisk(Element disk) {
        DiskSourceType sourceType = XmlValue.fromXml(DiskSourceType.class, "disk type", requiredAttr(disk, "type"));
        DiskDevice device = XmlValue.fromXml(DiskDevice.class, "disk device", optAttr(disk, "device").orElse("disk"));
        Element driver = requiredChild(disk, "driver");
        Element source = requiredChild(disk, "source");
        Element target = requiredChild(disk, "target");
        String path = requiredAttr(source, sourceType == DiskSourceType.FILE ? "file" : "dev");
        return new Disk(sourceType, device, toPath(path),
                XmlValue.fromXml(DiskFormat.class, "disk format", requiredAttr(driver, "type")),
                optAttr(driver, "cache").map(c -> XmlValue.fromXml(DiskCache.class, "disk cache mode", c)),
                optAttr(driver, "io").map(io -> XmlValue.fromXml(DiskIo.class, "disk io mode", io)),
                requiredAttr(target, "dev"),
                XmlValue.fromXml(DiskBus.class, "disk bus", requiredAttr(target, "bus")),
                child(disk, "readonly").isPresent());
    }

    private static NetInterface readInterface(Element nic) {
        InterfaceType type = XmlValue.fromXml(InterfaceType.class, "interface type", requiredAttr(nic, "type"));
        Optional<String> source = switch (type) {
            case NETWORK -> Optional.of(requiredAttr(requiredChild(nic, "source"), "network"));
            case BRIDGE -> Optional.of(requiredAttr(requiredChild(nic, "source"), "bridge"));
            case USER -> Optional.empty();
        };
        return new NetInterface(type, source,
                child(nic, "mac").flatMap(m -> optAttr(m, "address")),
                child(nic, "model").flatMap(m -> optAttr(m, "type")),
                child(nic, "filterref").flatMap(f -> optAttr(f, "filter")));
    }

    private static Serial readSerial(Element serial) {
        CharDeviceType type = XmlValue.fromXml(CharDeviceType.class, "serial type", requiredAttr(serial, "type"));
        Optional<CharLog> log = child(serial, "log").map(l -> new CharLog(
                toPath(requiredAttr(l, "file")), "on".equals(l.getAttribute("append"))));
        int port = child(serial, "target").flatMap(t -> optAttr(t, "port"))
                .map(p -> XmlSupport.parseInt("serial target port", p)).orElse(0);
        return new Serial(type, log, port);
    }

    private static Console readConsole(Element console) {
        CharDeviceType type = XmlValue.fromXml(CharDeviceType.class, "console type", requiredAttr(console, "type"));
        Optional<Element> target = child(console, "target");
        ConsoleTargetType targetType = target.flatMap(t -> optAttr(t, "type"))
                .map(t -> XmlValue.fromXml(ConsoleTargetType.class, "console target type", t))
                .orElse(ConsoleTargetType.SERIAL);
        int port = target.flatMap(t -> optAttr(t, "port"))
                .map(p -> XmlSupport.parseInt("console target port", p)).orElse(0);
        return new Console(type, targetType, port);
    }

    /** The virtio-serial channels; other channel kinds (guestfwd, spice) are not modelled. */
    private static List<Channel> readChannels(Element devices) {
        List<Channel> channels = new ArrayList<>();
        for (Element channel : children(devices, "channel")) {
            Optional<Element> target = child(channel, "target");
            if (target.isPresent() && "virtio".equals(target.get().getAttribute("type"))) {
                channels.add(new Channel(XmlValue.fromXml(CharDeviceType.class, "channel type",
                        requiredAttr(channel, "type")), requiredAttr(target.get(), "name")));
            }
        }
        return channels;
    }

    private static Graphics readGraphics(Element graphics) {
        GraphicsType type = XmlValue.fromXml(GraphicsType.class, "graphics type", requiredAttr(graphics, "type"));
        Optional<String> listen = children(graphics, "listen").stream()
                .filter(l -> "address".equals(l.getAttribute("type")) && l.hasAttribute("address"))
                .map(l -> l.getAttribute("address"))
                .findFirst()
                .or(() -> optAttr(graphics, "listen"));
        String portText = graphics.getAttribute("port");
        boolean autoport = "yes".equals(graphics.getAttribute("autoport")) || portText.isEmpty()
                || "-1".equals(portText);
        Optional<Integer> port = autoport ? Optional.empty()
                : Optional.of(XmlSupport.parseInt("graphics port", portText));
        return new Graphics(type, listen, port);
    }

    private static Rng readRng(Element rng) {
        RngModel model = XmlValue.fromXml(RngModel.class, "rng model", requiredAttr(rng, "model"));
        Element backend = requiredChild(rng, "backend");
        String backendModel = requiredAttr(backend, "model");
        if (!"random".equals(backendModel)) {
            throw new DomainXmlException("unsupported rng backend: '" + backendModel + "'");
        }
        return new Rng(model, toPath(textOf(backend)));
    }

    private static String textOf(Element element) {
        StringBuilder text = new StringBuilder();
        NodeList nodes = element.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node.getNodeType() == Node.TEXT_NODE || node.getNodeType() == Node.CDATA_SECTION_NODE) {
                text.append(node.getNodeValue());
            }
        }
        return text.toString().strip();
    }

    private static Path toPath(String path) {
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw new DomainXmlException("not a path: '" + path + "'", e);
        }
    }
}

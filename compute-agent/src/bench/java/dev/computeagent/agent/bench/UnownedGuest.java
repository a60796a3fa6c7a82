package dev.computeagent.agent.bench;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The anchor guest that plain {@code virsh migrate} moves: a twin of the agent's instance (its very
 * domain XML, so the same devices, CPU, memory and disk cache mode) under another name and UUID and
 * without the agent's metadata, so neither agent owns or reports it. Its files (a copy of the tiny
 * guest's base, a qcow2 overlay over it, the console log) live either in one directory both hosts share
 * ({@code shared}) or at the same path in each host's private {@code /var/lib/libvirt} (block migration,
 * {@code virsh migrate --copy-storage-inc}, the copy mode the agent uses, into an empty overlay created
 * on the destination beforehand as the agent's {@code migration.prepare} does).
 */
final class UnownedGuest {

    private final TwoLibvirtHosts hosts;
    private final String name;
    private final boolean block;
    private final String relative;
    private final Path inside;
    private final List<String> disks = new ArrayList<>();
    private String virtType;

    private UnownedGuest(TwoLibvirtHosts hosts, String name, boolean block) {
        this.hosts = hosts;
        this.name = name;
        this.block = block;
        this.relative = name;
        this.inside = block ? Path.of("/var/lib/libvirt").resolve(relative) : hosts.sharedDir().resolve(relative);
    }

    /**
     * Defines and starts the twin of the agent domain {@code agentDomain} (files in {@code agentInstanceDir},
     * UUID {@code agentUuid}) on {@code host}.
     */
    static UnownedGuest startTwin(TwoLibvirtHosts hosts, TwoLibvirtHosts.Host host, String agentDomain,
                                  Path agentInstanceDir, UUID agentUuid, String name, boolean block) throws Exception {
        UnownedGuest guest = new UnownedGuest(hosts, name, block);
        String xml = Virsh.on(host.unixUri(), "dumpxml", "--inactive", agentDomain)
                .replace(agentInstanceDir.toString(), guest.inside.toString())
                .replace(agentUuid.toString(), UUID.randomUUID().toString());
        String twin = guest.rename(xml);
        guest.prepareOn(host);
        Path file = guest.seen(host).resolve("domain.xml");
        Files.writeString(file, twin);
        Virsh.on(host.unixUri(), "-q", "define", file.toString());
        Virsh.on(host.unixUri(), "-q", "start", name);
        return guest;
    }

    String name() {
        return name;
    }

    /** The domain type of the agent's XML it copies ({@code kvm} or {@code qemu}): what both paths run. */
    String virtType() {
        return virtType;
    }

    /** The guest's serial log while it runs on {@code host}, seen from here. */
    Path consoleLog(TwoLibvirtHosts.Host host) {
        return seen(host).resolve("console.log");
    }

    /**
     * Makes {@code host} ready to receive the guest: its base image and, for block migration, a fresh
     * empty overlay over it (what the agent's prepare does); nothing more on shared storage once the
     * files exist.
     */
    void prepareOn(TwoLibvirtHosts.Host host) throws Exception {
        Path dir = Files.createDirectories(seen(host));
        Path base = dir.resolve("base.raw");
        if (!Files.exists(base)) {
            TinyGuestImage.write(base);
        }
        for (String disk : disks) {
            Path overlay = dir.resolve(disk);
            if (block || !Files.exists(overlay)) {
                Files.deleteIfExists(overlay);
                // -u: the backing path is the one inside the hosts, which need not exist here
                Commands.check("qemu-img", "create", "-q", "-u", "-f", "qcow2", "-F", "raw", "-b",
                        inside.resolve("base.raw").toString(), overlay.toString(),
                        Long.toString(TinyGuestImage.SIZE_BYTES));
            }
        }
    }

    /** {@code virsh migrate} of this guest from {@code from} to {@code to}, as the benchmark times it. */
    List<String> migrateCommand(TwoLibvirtHosts.Host from, TwoLibvirtHosts.Host to) {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", from.unixUri(), "migrate", "--live",
                "--p2p", "--persistent", "--undefinesource"));
        if (block) {
            command.add("--copy-storage-inc");
        }
        command.add(name);
        command.add(to.tcpUri());
        return command;
    }

    /** Destroys and undefines the guest wherever it is; the harness removes its files with the hosts. */
    void remove() {
        for (TwoLibvirtHosts.Host host : List.of(hosts.a(), hosts.b())) {
            for (String action : List.of("destroy", "undefine")) {
                try {
                    Virsh.on(host.unixUri(), "-q", action, name);
                } catch (IllegalStateException notThere) {
                    // not on this host (or not running): nothing to remove
                }
            }
        }
    }

    private Path seen(TwoLibvirtHosts.Host host) {
        return block ? host.libDir(relative) : inside;
    }

    /** New name, no agent metadata or title; remembers which overlays in its directory it needs. */
    private String rename(String xml) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element root = doc.getDocumentElement();
        for (String drop : List.of("metadata", "title", "description")) {
            NodeList nodes = root.getElementsByTagName(drop);
            for (int i = nodes.getLength() - 1; i >= 0; i--) {
                nodes.item(i).getParentNode().removeChild(nodes.item(i));
            }
        }
        virtType = root.getAttribute("type");
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals("name")) {
                e.setTextContent(name);
            }
        }
        NodeList sources = root.getElementsByTagName("source");
        for (int i = 0; i < sources.getLength(); i++) {
            Element source = (Element) sources.item(i);
            String file = source.getAttribute("file");
            if ("disk".equals(((Element) source.getParentNode()).getTagName()) && file.startsWith(inside + "/")) {
                disks.add(inside.relativize(Path.of(file)).toString());
            }
        }
        if (disks.isEmpty()) {
            throw new IllegalStateException("the agent's domain has no disk in its instance directory:\n" + xml);
        }
        StringWriter out = new StringWriter();
        TransformerFactory.newInstance().newTransformer().transform(new DOMSource(doc), new StreamResult(out));
        return out.toString();
    }
}

package dev.computeagent.virt.libvirt.migration;

import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Points the volumes of a libvirt domain XML at their destination: for each volume's guest device, the
 * {@code <disk>}'s type and {@code <source>} (with its hosts and {@code <auth>}, which names the destination's
 * secret) become those of the disk rendered for the destination; any {@code <auth>} outside the source goes.
 * The rest of the disk (driver, target, address, alias, read-only) stays exactly as the running guest has it,
 * so the device keeps its ABI across the move.
 */
final class DestinationVolumes {

    /** The disk XML rendered for the destination, by guest device. */
    private final Map<String, String> designed;

    DestinationVolumes(Map<String, String> designedByDevice) {
        this.designed = Map.copyOf(designedByDevice);
    }

    boolean isEmpty() {
        return designed.isEmpty();
    }

    /**
     * {@code domainXml} with every listed volume pointed at the destination.
     *
     * @throws MigrationException {@link Step#PREPARE}, {@link Reason#NOT_MIGRATABLE}: a listed device the domain has
     *                            no disk on
     */
    String rewrite(String domainXml) {
        Document document = MigratableXml.parse(domainXml);
        Element devices = MigratableXml.firstChild(document.getDocumentElement(), "devices");
        Set<String> done = new HashSet<>();
        if (devices != null) {
            for (Element disk : MigratableXml.children(devices, "disk")) {
                Element target = MigratableXml.firstChild(disk, "target");
                String device = target == null ? null : target.getAttribute("dev");
                String replacement = device == null ? null : designed.get(device);
                if (replacement != null) {
                    repoint(document, disk, MigratableXml.parse(replacement).getDocumentElement());
                    done.add(device);
                }
            }
        }
        Set<String> missing = new HashSet<>(designed.keySet());
        missing.removeAll(done);
        if (!missing.isEmpty()) {
            throw new MigrationException(Step.PREPARE, Reason.NOT_MIGRATABLE, "the instance has no disk on "
                    + missing + " for the destination's volumes", null);
        }
        return MigratableXml.render(document);
    }

    private static void repoint(Document document, Element disk, Element replacement) {
        Element source = MigratableXml.firstChild(disk, "source");
        Element newSource = MigratableXml.firstChild(replacement, "source");
        if (newSource == null) {
            throw new MigrationException(Step.PREPARE, Reason.FAILED, "the destination's disk has no source", null);
        }
        Node imported = document.importNode(newSource, true);
        if (source != null) {
            disk.replaceChild(imported, source);
        } else {
            Element driver = MigratableXml.firstChild(disk, "driver");
            disk.insertBefore(imported, driver == null ? disk.getFirstChild() : driver.getNextSibling());
        }
        for (Element auth : MigratableXml.children(disk, "auth")) {
            disk.removeChild(auth);
        }
        disk.setAttribute("type", replacement.getAttribute("type"));
    }
}

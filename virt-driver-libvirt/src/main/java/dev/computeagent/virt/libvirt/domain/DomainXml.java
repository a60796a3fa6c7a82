package dev.computeagent.virt.libvirt.domain;

import java.nio.file.Path;
import java.util.List;

/**
 * Converts a {@link Domain} to libvirt domain XML and back. Rendering is deterministic (same model,
 * same text); parsing tolerates what libvirt adds to a definition (aliases, addresses, seclabels,
 * controllers, ...) and ignores elements the model does not know.
 */
public final class DomainXml {

    private DomainXml() {
    }

    /**
     * The domain as libvirt XML.
     *
     * @throws DomainXmlException a string of the model cannot be carried by XML 1.0
     */
    public static String render(Domain domain) {
        return XmlSupport.serialize(DomainXmlWriter.write(domain).getDocumentElement());
    }

    /**
     * A {@code <domainsnapshot>} for a disk-only external snapshot of disk {@code dev} onto a new qcow2 overlay
     * {@code overlay} (libvirt creates it, backed by the disk's current file), every disk in {@code otherDevs}
     * left out of the snapshot.
     */
    public static String renderExternalDiskSnapshot(String dev, Path overlay, List<String> otherDevs) {
        return XmlSupport.serialize(DomainXmlWriter.writeExternalDiskSnapshot(dev, overlay, otherDevs));
    }

    /**
     * The model of a libvirt domain XML document.
     *
     * @throws DomainXmlException malformed XML, not a {@code <domain>}, a required element missing,
     *                            or a value the model cannot hold
     */
    public static Domain parse(String xml) {
        return DomainXmlReader.read(XmlSupport.parse(xml).getDocumentElement());
    }
}

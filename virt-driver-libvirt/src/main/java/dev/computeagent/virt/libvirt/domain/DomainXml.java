package dev.computeagent.virt.libvirt.domain;

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
     * One {@code <disk>} element alone, as {@link #render} writes it inside {@code <devices>} (e.g. the
     * destination of a block copy).
     */
    public static String renderDisk(Disk disk) {
        return XmlSupport.serialize(DomainXmlWriter.writeDiskAlone(disk));
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

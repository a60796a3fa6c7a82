package dev.computeagent.virt.libvirt.domain;

/** The {@code protocol} of a network disk's {@code <source>}. */
public enum DiskProtocol implements XmlValue {
    ISCSI("iscsi"),
    RBD("rbd");

    private final String xmlName;

    DiskProtocol(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

package dev.computeagent.virt.libvirt.domain;

/** The usage type of a libvirt secret, as a disk's {@code <auth><secret type=…>} names it. */
public enum SecretType implements XmlValue {
    ISCSI("iscsi"),
    CEPH("ceph");

    private final String xmlName;

    SecretType(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

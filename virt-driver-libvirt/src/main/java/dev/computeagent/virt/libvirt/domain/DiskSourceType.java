package dev.computeagent.virt.libvirt.domain;

/** The {@code type} attribute of {@code <disk>}: where the bytes live. */
public enum DiskSourceType implements XmlValue {
    FILE("file"),
    BLOCK("block");

    private final String xmlName;

    DiskSourceType(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

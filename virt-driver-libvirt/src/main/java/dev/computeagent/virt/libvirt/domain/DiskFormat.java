package dev.computeagent.virt.libvirt.domain;

/** The {@code type} attribute of a disk's {@code <driver>}: the image format. */
public enum DiskFormat implements XmlValue {
    RAW("raw"),
    QCOW2("qcow2");

    private final String xmlName;

    DiskFormat(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

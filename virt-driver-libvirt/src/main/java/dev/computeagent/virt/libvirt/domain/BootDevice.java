package dev.computeagent.virt.libvirt.domain;

/** A {@code <boot dev=...>} entry of {@code <os>}. */
public enum BootDevice implements XmlValue {
    HD("hd"),
    CDROM("cdrom"),
    NETWORK("network"),
    FD("fd");

    private final String xmlName;

    BootDevice(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

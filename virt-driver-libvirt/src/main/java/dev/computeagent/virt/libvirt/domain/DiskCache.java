package dev.computeagent.virt.libvirt.domain;

/** The {@code cache} attribute of a disk's {@code <driver>}: the host page-cache mode. */
public enum DiskCache implements XmlValue {
    NONE("none"),
    WRITEBACK("writeback"),
    WRITETHROUGH("writethrough"),
    UNSAFE("unsafe"),
    DIRECTSYNC("directsync"),
    DEFAULT("default");

    private final String xmlName;

    DiskCache(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

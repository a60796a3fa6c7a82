package dev.computeagent.virt.libvirt.domain;

/** The {@code io} attribute of a disk's {@code <driver>}: the host I/O mechanism. */
public enum DiskIo implements XmlValue {
    NATIVE("native"),
    THREADS("threads"),
    IO_URING("io_uring");

    private final String xmlName;

    DiskIo(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

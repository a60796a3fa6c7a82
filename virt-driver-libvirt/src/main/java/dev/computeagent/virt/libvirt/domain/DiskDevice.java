package dev.computeagent.virt.libvirt.domain;

/** The {@code device} attribute of {@code <disk>}: how the guest sees it. */
public enum DiskDevice implements XmlValue {
    DISK("disk"),
    CDROM("cdrom"),
    FLOPPY("floppy"),
    LUN("lun");

    private final String xmlName;

    DiskDevice(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

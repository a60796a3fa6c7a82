package dev.computeagent.virt.libvirt.domain;

/** The {@code bus} attribute of a disk's {@code <target>}. */
public enum DiskBus implements XmlValue {
    VIRTIO("virtio"),
    SCSI("scsi"),
    SATA("sata"),
    IDE("ide"),
    USB("usb"),
    FDC("fdc");

    private final String xmlName;

    DiskBus(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

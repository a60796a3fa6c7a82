package dev.computeagent.virt.libvirt.domain;

/** The {@code type} attribute of a console's {@code <target>}. */
public enum ConsoleTargetType implements XmlValue {
    SERIAL("serial"),
    VIRTIO("virtio");

    private final String xmlName;

    ConsoleTargetType(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

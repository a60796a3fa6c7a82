package dev.computeagent.virt.libvirt.domain;

/** The {@code model} attribute of {@code <memballoon>}. */
public enum MemBalloonModel implements XmlValue {
    VIRTIO("virtio"),
    NONE("none");

    private final String xmlName;

    MemBalloonModel(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

package dev.computeagent.virt.libvirt.domain;

/** The {@code type} attribute of {@code <graphics>}. */
public enum GraphicsType implements XmlValue {
    VNC("vnc"),
    SPICE("spice");

    private final String xmlName;

    GraphicsType(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

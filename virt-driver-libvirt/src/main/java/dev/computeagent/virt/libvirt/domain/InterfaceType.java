package dev.computeagent.virt.libvirt.domain;

/** The {@code type} attribute of {@code <interface>}. */
public enum InterfaceType implements XmlValue {
    NETWORK("network"),
    BRIDGE("bridge"),
    USER("user");

    private final String xmlName;

    InterfaceType(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

package dev.computeagent.virt.libvirt.domain;

/** The {@code offset} attribute of {@code <clock>}. */
public enum ClockOffset implements XmlValue {
    UTC("utc"),
    LOCALTIME("localtime"),
    TIMEZONE("timezone"),
    VARIABLE("variable"),
    ABSOLUTE("absolute");

    private final String xmlName;

    ClockOffset(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

package dev.computeagent.virt.libvirt.domain;

/** The {@code mode} attribute of {@code <cpu>}. */
public enum CpuMode implements XmlValue {
    CUSTOM("custom"),
    HOST_MODEL("host-model"),
    HOST_PASSTHROUGH("host-passthrough"),
    MAXIMUM("maximum");

    private final String xmlName;

    CpuMode(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

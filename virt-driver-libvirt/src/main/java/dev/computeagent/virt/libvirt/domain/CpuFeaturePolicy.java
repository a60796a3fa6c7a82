package dev.computeagent.virt.libvirt.domain;

/** The {@code policy} attribute of a {@code <cpu>}'s {@code <feature>}. */
public enum CpuFeaturePolicy implements XmlValue {
    FORCE("force"),
    REQUIRE("require"),
    OPTIONAL("optional"),
    DISABLE("disable"),
    FORBID("forbid");

    private final String xmlName;

    CpuFeaturePolicy(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

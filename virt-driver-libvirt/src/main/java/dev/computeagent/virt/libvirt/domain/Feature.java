package dev.computeagent.virt.libvirt.domain;

/** Hypervisor features under {@code <features>} that the model knows; others are ignored on parse. */
public enum Feature implements XmlValue {
    ACPI("acpi"),
    APIC("apic"),
    PAE("pae");

    private final String xmlName;

    Feature(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

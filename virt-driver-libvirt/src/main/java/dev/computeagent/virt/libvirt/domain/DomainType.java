package dev.computeagent.virt.libvirt.domain;

/** The {@code type} attribute of {@code <domain>}: hardware-accelerated or emulated. */
public enum DomainType implements XmlValue {
    KVM("kvm"),
    QEMU("qemu");

    private final String xmlName;

    DomainType(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

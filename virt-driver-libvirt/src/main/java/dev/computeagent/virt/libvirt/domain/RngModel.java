package dev.computeagent.virt.libvirt.domain;

/** The {@code model} attribute of {@code <rng>}. */
public enum RngModel implements XmlValue {
    VIRTIO("virtio"),
    VIRTIO_TRANSITIONAL("virtio-transitional"),
    VIRTIO_NON_TRANSITIONAL("virtio-non-transitional");

    private final String xmlName;

    RngModel(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

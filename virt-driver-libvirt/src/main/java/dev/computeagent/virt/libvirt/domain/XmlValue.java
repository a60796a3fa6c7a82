package dev.computeagent.virt.libvirt.domain;

/** A closed set of values that libvirt spells in its XML; implemented by the model's enums. */
public interface XmlValue {

    /** The value as libvirt writes it, e.g. {@code qcow2}. */
    String xmlName();

    /**
     * The constant of {@code type} that libvirt spells {@code xmlName}.
     *
     * @throws DomainXmlException no constant has that spelling
     */
    static <E extends Enum<E> & XmlValue> E fromXml(Class<E> type, String what, String xmlName) {
        for (E constant : type.getEnumConstants()) {
            if (constant.xmlName().equals(xmlName)) {
                return constant;
            }
        }
        throw new DomainXmlException("unsupported " + what + ": '" + xmlName + "'");
    }
}

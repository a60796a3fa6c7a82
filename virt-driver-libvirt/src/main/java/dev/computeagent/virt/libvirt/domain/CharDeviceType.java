package dev.computeagent.virt.libvirt.domain;

/** The {@code type} attribute of a character device ({@code <serial>}, {@code <console>}). */
public enum CharDeviceType implements XmlValue {
    PTY("pty"),
    FILE("file"),
    NULL("null"),
    UNIX("unix"),
    TCP("tcp"),
    STDIO("stdio"),
    VC("vc");

    private final String xmlName;

    CharDeviceType(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

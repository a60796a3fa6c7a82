package dev.computeagent.virt.libvirt.domain;

/** What libvirt does on a guest power-off, reboot or crash. */
public enum LifecycleAction implements XmlValue {
    DESTROY("destroy"),
    RESTART("restart"),
    PRESERVE("preserve"),
    RENAME_RESTART("rename-restart"),
    COREDUMP_DESTROY("coredump-destroy"),
    COREDUMP_RESTART("coredump-restart");

    private final String xmlName;

    LifecycleAction(String xmlName) {
        this.xmlName = xmlName;
    }

    @Override
    public String xmlName() {
        return xmlName;
    }
}

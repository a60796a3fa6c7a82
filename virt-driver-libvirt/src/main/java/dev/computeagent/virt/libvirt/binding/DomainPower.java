package dev.computeagent.virt.libvirt.binding;

/** The power controls of one domain, as {@link DomainHandle} offers them (an interface so policy can be tested alone). */
public interface DomainPower {

    String name();

    boolean isActive();

    /** Asks the guest to power off (ACPI); returns at once. */
    void shutdown();

    /** Forces the domain off. */
    void destroy();
}

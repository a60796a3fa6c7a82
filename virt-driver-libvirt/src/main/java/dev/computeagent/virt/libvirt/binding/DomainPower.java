package dev.computeagent.virt.libvirt.binding;

import java.util.concurrent.Future;

/** The power controls of one domain, as {@link DomainHandle} offers them (an interface so policy can be tested alone). */
public interface DomainPower {

    String name();

    boolean isActive();

    /**
     * Asks the guest to power off and returns at once: the request (guest agent where the domain has
     * one, else ACPI) runs on its own thread, since libvirt may hold it until the guest has acted.
     * The future completes when libvirt has answered, with the failure if it refused.
     *
     * @throws dev.computeagent.virt.DriverException the request could not even be sent
     */
    Future<?> requestShutdown();

    /** Forces the domain off. */
    void destroy();
}

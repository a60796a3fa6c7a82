package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;

/** One concern of turning an {@link InstanceSpec} into a domain (CPU, disks, console...). */
@FunctionalInterface
interface DomainConfigurator {

    /**
     * Sets this concern's part of {@code domain} from {@code spec}.
     *
     * @throws dev.computeagent.virt.InvalidSpecException the spec cannot be honoured on this host
     */
    void configure(InstanceSpec spec, DomainBuilder domain);
}

package dev.computeagent.virt.network;

import java.util.List;

/**
 * The host's networks (Nova's {@code plug_vifs} side of the host, the libvirt network API family). A driver
 * knows which networks it created itself and never changes or removes any other; every method is
 * thread-safe. Failures are {@link dev.computeagent.virt.DriverException}s, as for the compute driver.
 */
public interface NetworkDriver {

    /**
     * Makes the network exist, persistent, started and started with the hypervisor. Idempotent: a network this
     * driver created under this name is started when it is not running and otherwise left as it is (a running
     * network is never restarted: its guests would lose their link).
     *
     * @throws NetworkConflictException a network of this name exists that this driver did not create (untouched)
     * @throws dev.computeagent.virt.InvalidSpecException the hypervisor refuses the definition (e.g. the
     *         subnet overlaps a route of the host; the bridge of a bridge network is missing); nothing is left
     */
    NetworkStatus ensure(NetworkDefinition definition);

    /** The networks this driver created, by name. */
    List<NetworkStatus> list();

    /**
     * Whether a network of this name (anyone's: the hypervisor's {@code default} too) exists and runs, so that
     * a NIC can be plugged into it now.
     */
    boolean isActive(String name);

    /**
     * Stops and removes a network this driver created. Idempotent: a missing network is success.
     *
     * @throws NetworkInUseException     an instance (any domain, running or not) has a NIC on it (untouched)
     * @throws NetworkConflictException  the network is not this driver's (untouched)
     */
    void remove(String name);
}

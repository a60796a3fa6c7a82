package dev.computeagent.virt;

import java.util.UUID;

/**
 * Pausing and saving instances, beside {@link ComputeDriver}'s power on and off: a small contract of its
 * own, so the compute driver does not grow a method per lifecycle verb. The same rules as
 * {@link ComputeDriver}: only the driver's own instances, failures as {@link DriverException} subtypes,
 * thread-safe, callers serialise operations on one instance. Every method returns once the hypervisor
 * reports the new state, and is a no-op when the instance is in it already, so a repeated call is harmless.
 */
public interface PowerOperations {

    /**
     * Freezes a running instance in memory (libvirt: {@code virDomainSuspend}); {@link InstanceInfo#powerState()}
     * is {@link PowerState#PAUSED} afterwards.
     *
     * @throws InstanceNotFoundException no such instance
     * @throws HypervisorException       the instance does not run (nothing to pause) or the hypervisor refused
     */
    void pause(UUID uuid);

    /**
     * Lets a paused instance run again (libvirt: {@code virDomainResume}).
     *
     * @throws InstanceNotFoundException no such instance
     * @throws HypervisorException       the instance does not run at all, or the hypervisor refused
     */
    void unpause(UUID uuid);

    /**
     * Saves a running (or paused) instance's memory to disk with its definition and stops it (libvirt:
     * {@code virDomainManagedSave}): the saved state survives a restart of the agent and of the hypervisor
     * service, {@link #resume} restores it (libvirt's start of the domain does), {@link ComputeDriver#destroy}
     * removes it with the instance. Afterwards the instance is {@link PowerState#SHUTDOWN} with
     * {@link #hasSavedState} true. An instance that is off already is left as it is. When saving fails the
     * instance keeps running.
     *
     * @throws InstanceNotFoundException no such instance
     * @throws HypervisorException       the hypervisor could not save it (e.g. no space for the memory image)
     */
    void suspend(UUID uuid);

    /**
     * Starts a suspended instance from its saved memory (libvirt: {@code virDomainCreate}, which restores a
     * managed save and then removes it); a running or paused instance is left as it is. An instance without
     * saved memory boots afresh, as a start would.
     *
     * @throws InstanceNotFoundException no such instance
     * @throws HypervisorException       the hypervisor could not restore it
     */
    void resume(UUID uuid);

    /**
     * Whether the instance has saved memory waiting for {@link #resume}.
     *
     * @throws InstanceNotFoundException no such instance
     */
    boolean hasSavedState(UUID uuid);
}

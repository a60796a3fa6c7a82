package dev.computeagent.virt.network;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The per-instance packet filter of security groups (libvirt: one nwfilter per instance, referenced by each of
 * its NICs). What an instance's filter does: anti-spoofing (the NIC's MAC and the IP it uses, libvirt's
 * {@code clean-traffic}), DHCP replies let in, every {@link SecurityRule} let through (replies of allowed
 * connections too), everything else coming in dropped; going out is allowed when the rules have no
 * {@link SecurityRule.Direction#EGRESS} rule, else only what those allow.
 */
public interface SecurityGroupDriver {

    /**
     * Creates or replaces the instance's filter. Replacing it changes the traffic of a running instance at once,
     * without a reboot. Must exist before an instance referencing it is started (or arrives by migration).
     *
     * @throws dev.computeagent.virt.InvalidSpecException the hypervisor refuses the filter
     */
    void apply(UUID instance, List<SecurityRule> rules);

    /**
     * Removes the instance's filter. Idempotent: a missing filter is success.
     *
     * @throws dev.computeagent.virt.HypervisorException a domain still references it
     */
    void remove(UUID instance);

    /** The instances that have a filter on this host, whether or not a domain of theirs is here. */
    Set<UUID> filteredInstances();
}

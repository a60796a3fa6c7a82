package dev.computeagent.agent.recovery;

import dev.computeagent.virt.migration.MigrationDriver;
import dev.computeagent.virt.network.SecurityGroupDriver;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the hypervisor keeps of instances that have no domain on this host for any host, removed at start-up: their
 * security groups' filter and their volume secrets. A migration prepared here leaves them when this agent restarts
 * before its source goes on (the preparation was known in memory only, so its expiry is gone with it); a delete or a
 * spawn cut between its domain and them leaves them too. What libvirt cannot list or refuses to remove is logged and
 * left for the next start.
 */
public final class HostLeftovers {

    private static final Logger log = LoggerFactory.getLogger(HostLeftovers.class);

    private final SecurityGroupDriver groups;
    private final MigrationDriver migrations;
    private final Predicate<UUID> onHypervisor;

    /** @param onHypervisor whether the hypervisor has a domain of the instance, whichever host owns it */
    public HostLeftovers(SecurityGroupDriver groups, MigrationDriver migrations, Predicate<UUID> onHypervisor) {
        this.groups = groups;
        this.migrations = migrations;
        this.onHypervisor = onHypervisor;
    }

    /** Removes the leftovers of every instance neither in {@code present} (this host's) nor on the hypervisor. */
    void removeAll(Set<UUID> present) {
        Set<UUID> filtered;
        try {
            filtered = groups.filteredInstances();
        } catch (RuntimeException e) {
            log.warn("the security groups' filters cannot be listed; leftovers stay until the next start: {}",
                    e.toString());
            filtered = Set.of();
        }
        for (UUID uuid : filtered) {
            if (gone(uuid, present)) {
                try {
                    groups.remove(uuid);
                    log.info("removed the security groups' filter of {}, which has no domain on this host", uuid);
                } catch (RuntimeException e) {
                    log.warn("the leftover security groups' filter of {} cannot be removed: {}", uuid, e.toString());
                }
            }
        }
        Set<UUID> withSecrets;
        try {
            withSecrets = migrations.instancesWithVolumeSecrets();
        } catch (RuntimeException e) {
            log.warn("the volume secrets cannot be listed; leftovers stay until the next start: {}", e.toString());
            return;
        }
        for (UUID uuid : withSecrets) {
            if (gone(uuid, present)) {
                try {
                    // removes nothing of an instance defined here meanwhile
                    migrations.releaseIncomingVolumes(uuid);
                } catch (RuntimeException e) {
                    log.warn("the leftover volume secrets of {} cannot be removed: {}", uuid, e.toString());
                }
            }
        }
    }

    private boolean gone(UUID uuid, Set<UUID> present) {
        return !present.contains(uuid) && !onHypervisor.test(uuid);
    }
}

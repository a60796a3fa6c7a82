package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.libvirt.binding.DomainHandle;
import dev.computeagent.virt.libvirt.binding.DomainStatus;
import dev.computeagent.virt.libvirt.binding.LibvirtConnection;
import dev.computeagent.virt.libvirt.domain.AgentMetadata;
import dev.computeagent.virt.libvirt.domain.DomainNames;
import dev.computeagent.virt.libvirt.domain.DomainXmlException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which domains the agent manages (not which host owns one: that is the agent's
 * {@code OwnedInstancesDriver}): named {@code instance-<uuid>} for their own uuid and
 * carrying the agent's metadata element. Every other domain is invisible: looking it up gives
 * "not found", and nothing here ever changes it. Remembers the uuids it has seen managed, so that
 * events of a domain that is already gone can still be attributed.
 */
final class ManagedDomains {

    private static final Logger log = LoggerFactory.getLogger(ManagedDomains.class);

    private final Set<UUID> known = ConcurrentHashMap.newKeySet();

    /** The managed domain with {@code uuid}; the caller closes it. */
    Optional<DomainHandle> find(LibvirtConnection connection, UUID uuid) {
        Optional<DomainHandle> found = connection.lookup(uuid);
        if (found.isEmpty()) {
            return found;
        }
        DomainHandle handle = found.get();
        if (known.contains(uuid) && DomainNames.uuidOf(handle.name()).map(uuid::equals).orElse(false)) {
            // one the agent made or has read its metadata of, still under the agent's name: not parsed again (a
            // domain undefined since is forgotten on its lifecycle event; a lookup by uuid cannot find another)
            return found;
        }
        if (metadataOf(handle).isEmpty()) {
            handle.close();
            return Optional.empty();
        }
        return found;
    }

    /**
     * The managed domain with {@code uuid}; the caller closes it.
     *
     * @throws InstanceNotFoundException none, or not the agent's
     */
    DomainHandle require(LibvirtConnection connection, UUID uuid) {
        return find(connection, uuid).orElseThrow(() -> new InstanceNotFoundException("no instance " + uuid));
    }

    /** The agent metadata of a managed domain; empty for a foreign (or vanished) one. */
    Optional<InstanceMetadata> metadataOf(DomainHandle handle) {
        if (!DomainNames.uuidOf(handle.name()).map(handle.uuid()::equals).orElse(false)) {
            return Optional.empty();
        }
        Optional<InstanceMetadata> metadata;
        try {
            metadata = AgentMetadata.fromDomainXml(handle.xml());
        } catch (DomainXmlException e) {
            // a damaged agent element: we cannot tell what the domain is, so we do not touch it
            log.warn("domain {} carries unreadable agent metadata; treating it as foreign", handle.name(), e);
            return Optional.empty();
        } catch (InstanceNotFoundException e) {
            return Optional.empty();
        }
        metadata.ifPresent(m -> known.add(handle.uuid()));
        return metadata;
    }

    /** The instance's current state; empty when the domain is not (or no longer) the agent's. */
    Optional<InstanceInfo> infoOf(DomainHandle handle) {
        Optional<InstanceMetadata> metadata = metadataOf(handle);
        if (metadata.isEmpty()) {
            return Optional.empty();
        }
        DomainStatus status = handle.status();
        return Optional.of(new InstanceInfo(handle.uuid(), status.powerState(), status.cpuTimeNs(), status.memoryKb(),
                status.vcpus(), metadata.get()));
    }

    void remember(UUID uuid) {
        known.add(uuid);
    }

    boolean isKnown(UUID uuid) {
        return known.contains(uuid);
    }

    void forget(UUID uuid) {
        known.remove(uuid);
    }
}

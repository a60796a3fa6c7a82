package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.libvirt.binding.DomainHandle;
import dev.computeagent.virt.libvirt.binding.DomainStatus;
import dev.computeagent.virt.libvirt.binding.LibvirtConnection;
import dev.computeagent.virt.libvirt.designer.DomainDesigner;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import dev.computeagent.virt.libvirt.domain.DomainXmlException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * spawn = design the domain XML, define it, start it; on any failure after the define the domain
 * is forced off and undefined again, so a failed spawn leaves nothing behind. {@link #defineOnly}
 * is the same without the start (the destination of a cold migration); {@link #redefine} renders an
 * existing, shut-off domain again with a new size (a resize).
 */
final class SpawnOperation {

    private static final Logger log = LoggerFactory.getLogger(SpawnOperation.class);

    private final ConnectionManager connections;
    private final ManagedDomains managed;
    private final DomainDesigner designer;
    private final PowerControl power;

    SpawnOperation(ConnectionManager connections, ManagedDomains managed, DomainDesigner designer, PowerControl power) {
        this.connections = connections;
        this.managed = managed;
        this.designer = designer;
        this.power = power;
    }

    /**
     * Defines and starts the domain of {@code spec}; returns its status read on the handle that started it
     * (no second lookup and no read of the definition just written). A status that cannot be read leaves the
     * started domain as it is: it exists, the caller's clean-up owns it.
     */
    DomainStatus spawn(InstanceSpec spec) {
        String xml = render(spec);
        return connections.call(connection -> {
            try (DomainHandle domain = define(connection, spec, xml)) {
                try {
                    domain.create();
                } catch (RuntimeException e) {
                    removeQuietly(domain, e);
                    throw e;
                }
                return domain.status();
            }
        });
    }

    /** Defines the domain of {@code spec} without starting it: the same checks and rendering as a spawn. */
    void defineOnly(InstanceSpec spec) {
        String xml = render(spec);
        connections.call(connection -> {
            define(connection, spec, xml).close();
            return null;
        });
    }

    /**
     * Replaces the definition of the shut-off domain {@code uuid} by one rendered from its own with
     * {@code flavor}, {@code disks}, {@code annotations} and, when given, {@code imageId}
     * ({@link DefinedInstance#respec}), its attached volumes kept ({@link AttachedVolumeDisks}): one
     * {@code virDomainDefineXML} of the same uuid and name.
     */
    void redefine(UUID uuid, Flavor flavor, Optional<String> imageId, List<DiskSpec> disks,
                  Map<String, String> annotations) {
        connections.call(connection -> {
            try (DomainHandle domain = managed.require(connection, uuid)) {
                if (domain.isActive()) {
                    throw new InvalidSpecException("instance " + uuid + " must be shut off to be redefined");
                }
                Domain current;
                try {
                    current = DomainXml.parse(domain.xml());
                } catch (DomainXmlException e) {
                    throw new HypervisorException("instance " + uuid + ": libvirt's definition cannot be read: "
                            + e.getMessage(), e);
                }
                InstanceSpec spec = DefinedInstance.respec(current, flavor, imageId, disks, annotations);
                Domain designed = AttachedVolumeDisks.keep(current, design(spec), spec.consoleLog().getParent());
                connection.define(render(spec, designed)).close();
            }
            return null;
        });
    }

    private String render(InstanceSpec spec) {
        return render(spec, design(spec));
    }

    private static String render(InstanceSpec spec, Domain designed) {
        try {
            return DomainXml.render(designed);
        } catch (DomainXmlException e) {
            throw new InvalidSpecException("cannot render the domain of " + spec.uuid() + ": " + e.getMessage(), e);
        }
    }

    /** The domain of {@code spec}, once its disks and console log directory are known to exist. */
    private Domain design(InstanceSpec spec) {
        for (DiskSpec disk : spec.disks()) {
            if (!Files.isRegularFile(disk.path())) {
                throw new InvalidSpecException("disk " + disk.device() + " of " + spec.uuid() + " does not exist: "
                        + disk.path());
            }
        }
        if (!Files.isDirectory(spec.consoleLog().getParent())) {
            throw new InvalidSpecException("console log directory does not exist: " + spec.consoleLog().getParent());
        }
        return designer.design(spec);
    }

    private DomainHandle define(LibvirtConnection connection, InstanceSpec spec, String xml) {
        Optional<DomainHandle> existing = connection.lookup(spec.uuid());
        if (existing.isPresent()) {
            existing.get().close();
            // never redefine: a define with a known uuid and name would silently replace it
            throw new InstanceExistsException("a domain with uuid " + spec.uuid() + " exists already");
        }
        DomainHandle domain = connection.define(xml);
        managed.remember(spec.uuid());
        return domain;
    }

    private void removeQuietly(DomainHandle domain, RuntimeException cause) {
        try {
            power.forceOff(domain);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
        try {
            domain.undefine();
        } catch (RuntimeException e) {
            log.error("spawn of {} failed and its definition could not be removed", domain.name(), e);
            cause.addSuppressed(e);
        }
    }
}

package dev.computeagent.virt.migration;

import java.util.Objects;
import java.util.UUID;

/**
 * A hypervisor-specific, host-independent definition of an instance, exported by the source's driver
 * for a cold migration and imported by a destination driver of the same {@code format}. Opaque to
 * the agent: it only carries it from one host to the other.
 *
 * @param uuid     the instance
 * @param format   which driver can import it, e.g. {@code libvirt-domain-xml}
 * @param document the definition itself
 */
public record InstanceDefinition(UUID uuid, String format, String document) {

    public InstanceDefinition {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(document, "document");
        if (document.isBlank()) {
            throw new IllegalArgumentException("empty definition");
        }
    }
}

package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.PowerState;
import java.util.UUID;

/**
 * A lifecycle event of any domain on the connection, already mapped to the API's event types.
 * Ownership is not checked here: the domain may be foreign.
 */
public record DomainLifecycleEvent(UUID uuid, String name, LifecycleEvent.Type type, PowerState powerState) {
}

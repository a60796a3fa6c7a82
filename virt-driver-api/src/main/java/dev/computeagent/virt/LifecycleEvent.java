package dev.computeagent.virt;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Something happened to an instance: it started, stopped, the guest shut itself down, crashed...
 *
 * @param uuid       the instance
 * @param type       what happened
 * @param powerState the power state the event implies
 * @param at         when the driver saw it
 */
public record LifecycleEvent(UUID uuid, Type type, PowerState powerState, Instant at) {

    /**
     * The kinds of lifecycle change a driver reports. {@link #MIGRATED}: the instance left this hypervisor by a
     * migration; {@link #ARRIVED}: the hypervisor resumed it after a migration: on a destination, at the end of the
     * live migration that brought it (it can no longer go back); on a source, libvirt reports a guest resumed after
     * a cancelled migration the same way.
     */
    public enum Type {
        DEFINED, UNDEFINED, STARTED, SUSPENDED, RESUMED, STOPPED, SHUTDOWN, CRASHED, MIGRATED, ARRIVED, OTHER
    }

    public LifecycleEvent {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(powerState, "powerState");
        Objects.requireNonNull(at, "at");
    }
}

package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.libvirt.binding.DomainHandle;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@link PowerOperations} on libvirt, for the domains the driver manages: pause and unpause are
 * {@code virDomainSuspend}/{@code virDomainResume}; suspend is {@code virDomainManagedSave}, whose image
 * libvirt keeps with the domain (under its own state directory, so it survives libvirtd's restart) and
 * restores on the next {@code virDomainCreate}; the driver's undefine removes it
 * ({@code VIR_DOMAIN_UNDEFINE_MANAGED_SAVE}). Each call checks the state first, so a repeated call is a
 * no-op rather than libvirt's "domain is already running/paused" error.
 */
final class LibvirtPowerOperations implements PowerOperations {

    private final ConnectionManager connections;
    private final ManagedDomains managed;

    LibvirtPowerOperations(ConnectionManager connections, ManagedDomains managed) {
        this.connections = connections;
        this.managed = managed;
    }

    @Override
    public void pause(UUID uuid) {
        withManaged(uuid, domain -> {
            if (domain.status().powerState() != PowerState.PAUSED) {
                domain.suspend();
            }
            return null;
        });
    }

    @Override
    public void unpause(UUID uuid) {
        withManaged(uuid, domain -> {
            if (domain.status().powerState() != PowerState.RUNNING) {
                domain.resume();
            }
            return null;
        });
    }

    @Override
    public void suspend(UUID uuid) {
        withManaged(uuid, domain -> {
            if (domain.isActive()) {
                domain.managedSave();
            }
            return null;
        });
    }

    @Override
    public void resume(UUID uuid) {
        withManaged(uuid, domain -> {
            if (!domain.isActive()) {
                domain.create();
            }
            return null;
        });
    }

    @Override
    public boolean hasSavedState(UUID uuid) {
        return withManaged(uuid, DomainHandle::hasManagedSaveImage);
    }

    private <T> T withManaged(UUID uuid, Function<DomainHandle, T> action) {
        return connections.call(connection -> {
            try (DomainHandle domain = managed.require(connection, uuid)) {
                return action.apply(domain);
            }
        });
    }
}

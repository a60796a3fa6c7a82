package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.LifecycleAction;
import dev.computeagent.virt.libvirt.domain.LifecycleActions;

/**
 * A guest that powers off or crashes stops (the agent notices and reports it); a guest reboot
 * restarts it in place.
 */
final class LifecycleConfigurator implements DomainConfigurator {

    static final LifecycleActions ACTIONS =
            new LifecycleActions(LifecycleAction.DESTROY, LifecycleAction.RESTART, LifecycleAction.DESTROY);

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        domain.lifecycle = ACTIONS;
    }
}

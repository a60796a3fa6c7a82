package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.libvirt.domain.LifecycleAction;
import dev.computeagent.virt.libvirt.domain.LifecycleActions;
import org.junit.jupiter.api.Test;

class LifecycleConfiguratorTest {

    @Test
    void powerOffAndCrashDestroyRebootRestarts() {
        DomainBuilder domain = new DomainBuilder();
        domain.lifecycle = new LifecycleActions(LifecycleAction.PRESERVE, LifecycleAction.PRESERVE, LifecycleAction.PRESERVE);

        new LifecycleConfigurator().configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.lifecycle).isEqualTo(
                new LifecycleActions(LifecycleAction.DESTROY, LifecycleAction.RESTART, LifecycleAction.DESTROY));
    }
}

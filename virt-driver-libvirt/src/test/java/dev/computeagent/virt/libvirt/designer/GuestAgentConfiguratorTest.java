package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.Channel;
import dev.computeagent.virt.libvirt.domain.CharDeviceType;
import org.junit.jupiter.api.Test;

class GuestAgentConfiguratorTest {

    @Test
    void anInstanceWithAGuestAgentGetsItsVirtioSerialChannel() {
        InstanceSpec plain = SpecVariants.simpleSpec();
        InstanceSpec withAgent = new InstanceSpec(plain.uuid(), plain.metadata(), plain.disks(), plain.nics(),
                plain.consoleLog(), false, true);
        DomainBuilder domain = new DomainBuilder();

        new GuestAgentConfigurator().configure(withAgent, domain);

        assertThat(domain.channels).containsExactly(new Channel(CharDeviceType.UNIX, "org.qemu.guest_agent.0"));
    }

    @Test
    void anInstanceWithoutOneGetsNoChannel() {
        DomainBuilder domain = new DomainBuilder();

        new GuestAgentConfigurator().configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.channels).isEmpty();
    }
}

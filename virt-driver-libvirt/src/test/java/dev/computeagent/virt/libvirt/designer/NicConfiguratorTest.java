package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.domain.InterfaceType;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NicConfiguratorTest {

    @Test
    void eachNicTypeKeepsSourceMacAndModel() {
        DomainBuilder domain = new DomainBuilder();
        List<NicSpec> nics = List.of(NicSpec.network("default"), NicSpec.bridge("br0"), NicSpec.user(),
                new NicSpec(NicSpec.Type.BRIDGE, Optional.of("br1"), Optional.of("52:54:00:00:00:01"), "e1000"));

        new NicConfigurator().configure(SpecVariants.spec(SpecVariants.metadata("n"),
                SpecVariants.simpleSpec().disks(), nics, false), domain);

        assertThat(domain.interfaces).containsExactly(
                new NetInterface(InterfaceType.NETWORK, Optional.of("default"), Optional.empty(), Optional.of("virtio")),
                new NetInterface(InterfaceType.BRIDGE, Optional.of("br0"), Optional.empty(), Optional.of("virtio")),
                new NetInterface(InterfaceType.USER, Optional.empty(), Optional.empty(), Optional.of("virtio")),
                new NetInterface(InterfaceType.BRIDGE, Optional.of("br1"), Optional.of("52:54:00:00:00:01"),
                        Optional.of("e1000")));
    }

    @Test
    void noNicsNoInterfaces() {
        DomainBuilder domain = new DomainBuilder();

        new NicConfigurator().configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.interfaces).isEmpty();
    }
}

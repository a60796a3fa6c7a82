package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.libvirt.domain.MemBalloon;
import dev.computeagent.virt.libvirt.domain.MemBalloonModel;
import dev.computeagent.virt.libvirt.domain.Rng;
import dev.computeagent.virt.libvirt.domain.RngModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DevicesConfiguratorTest {

    @Test
    void virtioBalloonAndVirtioRngFedByTheHostSource() {
        DomainBuilder domain = new DomainBuilder();

        new DevicesConfigurator(Path.of("/dev/urandom")).configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.memBalloon).contains(new MemBalloon(MemBalloonModel.VIRTIO));
        assertThat(domain.rngs).containsExactly(new Rng(RngModel.VIRTIO, Path.of("/dev/urandom")));
    }
}

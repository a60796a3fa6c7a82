package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.libvirt.domain.Graphics;
import dev.computeagent.virt.libvirt.domain.GraphicsType;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GraphicsConfiguratorTest {

    @Test
    void vncOnLoopbackWithAnAutomaticPortWhenAskedFor() {
        DomainBuilder domain = new DomainBuilder();

        new GraphicsConfigurator(DesignerOptions.VNC_LISTEN_ADDRESS).configure(SpecVariants.spec(
                SpecVariants.metadata("g"), SpecVariants.simpleSpec().disks(), List.of(), true), domain);

        assertThat(domain.graphics).containsExactly(
                new Graphics(GraphicsType.VNC, Optional.of("127.0.0.1"), Optional.empty()));
    }

    @Test
    void noGraphicsUnlessAskedFor() {
        DomainBuilder domain = new DomainBuilder();

        new GraphicsConfigurator(DesignerOptions.VNC_LISTEN_ADDRESS).configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.graphics).isEmpty();
    }
}

package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryConfiguratorTest {

    @Test
    void flavorMebibytesBecomeKibibytes() {
        DomainBuilder domain = new DomainBuilder();

        new MemoryConfigurator().configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.memoryKib).isEqualTo(512L * 1024);
    }
}

package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InvalidSpecException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetadataConfiguratorTest {

    @Test
    void specMetadataBecomesTheAgentElement() {
        DomainBuilder domain = new DomainBuilder();

        new MetadataConfigurator().configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.agentMetadata).contains(SpecVariants.simpleSpec().metadata());
    }

    @Test
    void hostileButValidTextIsAccepted() {
        DomainBuilder domain = new DomainBuilder();
        InstanceSpec spec = SpecVariants.spec(SpecVariants.hostileMetadata(), SpecVariants.simpleSpec().disks(),
                List.of(), false);

        new MetadataConfigurator().configure(spec, domain);

        assertThat(domain.agentMetadata).contains(SpecVariants.hostileMetadata());
    }

    @Test
    void metadataThatIsNotUnicodeIsAnInvalidSpec() {
        InstanceSpec spec = SpecVariants.spec(SpecVariants.metadata("half a pair \uDC00"),
                SpecVariants.simpleSpec().disks(), List.of(), false);

        assertThatThrownBy(() -> new MetadataConfigurator().configure(spec, new DomainBuilder()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("unpaired surrogate");
    }
}

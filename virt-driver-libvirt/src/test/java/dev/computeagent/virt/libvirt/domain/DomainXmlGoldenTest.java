package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.designer.DomainDesigner;
import dev.computeagent.virt.libvirt.designer.SpecVariants;
import dev.computeagent.virt.libvirt.designer.VirtType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The full rendered text of a few designs, compared with reviewed files under
 * {@code src/test/resources/domain/}. After an intended change, regenerate them with
 * {@code -Dgolden.update=true} and review the diff.
 */
class DomainXmlGoldenTest {

    private static final Path GOLDEN_DIR = Path.of("src/test/resources/domain");

    @Test
    void kvmInstanceWithTwoDisksThreeNicsAndVnc() throws Exception {
        InstanceSpec spec = SpecVariants.spec(
                new InstanceMetadata("web <1> & 'friends'", new Flavor(2, 2048, 20, 0), "ubuntu-24.04", "node-7",
                        Map.of("role", "web", "team", "a&b"), Map.of("spawn_request_id", "req-6f0d2c1e")),
                List.of(SpecVariants.disk(DiskSpec.Format.QCOW2, DiskSpec.CacheMode.NONE, "vda"),
                        SpecVariants.disk(DiskSpec.Format.RAW, DiskSpec.CacheMode.WRITEBACK, "vdb")),
                List.of(NicSpec.network("default"),
                        new NicSpec(NicSpec.Type.BRIDGE, Optional.of("br0"), Optional.of("52:54:00:12:34:56"), "virtio"),
                        NicSpec.user()),
                true);

        String xml = DomainXml.render(new DomainDesigner(SpecVariants.options(VirtType.KVM, true)).design(spec));

        assertMatchesGolden("golden-kvm-full.xml", xml);
    }

    @Test
    void tcgInstanceOnAFileSystemWithoutODirect() throws Exception {
        String xml = DomainXml.render(new DomainDesigner(SpecVariants.options(VirtType.QEMU, false))
                .design(SpecVariants.simpleSpec()));

        assertMatchesGolden("golden-qemu-minimal.xml", xml);
    }

    @Test
    void agentMetadataElementWithTextThatNeedsEncoding() throws Exception {
        String element = AgentMetadata.renderElement(new InstanceMetadata("</name><devices>", new Flavor(1, 64, 0, 0),
                "cirros", "node-7", Map.of("multi\r\nline", "   ", "ok", "plain"), Map.of()));

        assertMatchesGolden("golden-agent-metadata-element.xml", element);
    }

    private static void assertMatchesGolden(String name, String actual) throws Exception {
        Path file = GOLDEN_DIR.resolve(name);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }
}

package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.libvirt.designer.DomainDesigner;
import dev.computeagent.virt.libvirt.designer.SpecVariants;
import dev.computeagent.virt.libvirt.designer.VirtType;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/** User text is data: no character of it can change the structure of a rendered document. */
class DomainXmlHostileTextTest {

    static List<String> hostileTexts() {
        return SpecVariants.HOSTILE_TEXTS;
    }

    @ParameterizedTest
    @MethodSource("hostileTexts")
    void hostileNameStaysOneTextNodeAndComesBackExactly(String text) throws Exception {
        String name = text.isEmpty() ? "x" : text;
        InstanceMetadata metadata = SpecVariants.metadata(name);
        Domain domain = new DomainDesigner(SpecVariants.options(VirtType.KVM, true))
                .design(SpecVariants.spec(metadata, SpecVariants.simpleSpec().disks(), List.of(), true));

        String xml = DomainXml.render(domain);

        Document document = parseWithPlainDom(xml);
        Element root = document.getDocumentElement();
        assertThat(root.getElementsByTagName("devices").getLength()).isEqualTo(1);
        assertThat(root.getElementsByTagName("disk").getLength()).isEqualTo(1);
        assertThat(root.getElementsByTagName("name").getLength()).isEqualTo(1);
        Element agentName = (Element) root.getElementsByTagNameNS(AgentMetadata.NAMESPACE, "name").item(0);
        assertThat(agentName.getChildNodes().getLength()).isEqualTo(1);
        assertThat(agentName.getFirstChild().getNodeType()).isEqualTo(Node.TEXT_NODE);
        assertThat(DomainXml.parse(xml).agentMetadata()).contains(metadata);
        assertThat(AgentMetadata.fromDomainXml(xml)).contains(metadata);
    }

    @Test
    void hostileKeysValuesAndAnnotationsComeBackExactly() {
        InstanceMetadata hostile = SpecVariants.hostileMetadata();

        String element = AgentMetadata.renderElement(hostile);

        assertThat(AgentMetadata.parseElement(element)).isEqualTo(hostile);
        assertThat(element).doesNotContain("<devices>", "<disk", "<!DOCTYPE", "<!--", "<?pi", "<![CDATA[");
    }

    @Test
    void plainMarkupCharactersAreEscapedNotEncoded() {
        String element = AgentMetadata.renderElement(SpecVariants.metadata("</name><devices>]]>&'\""));

        assertThat(element).contains("&lt;/name&gt;&lt;devices&gt;]]&gt;&amp;'\"</name>");
    }

    @Test
    void textThatParsersWouldNormaliseIsStoredAsBase64() {
        String element = AgentMetadata.renderElement(SpecVariants.metadata("a\r\nb\u0001"));

        assertThat(element).contains("<name encoding=\"base64\">");
        assertThat(AgentMetadata.parseElement(element).name()).isEqualTo("a\r\nb\u0001");
    }

    @Test
    void unpairedSurrogateIsRefusedAsNotUnicode() {
        InstanceMetadata broken = new InstanceMetadata("bad \uD800 name", new Flavor(1, 64, 0, 0), "i", "h",
                Map.of(), Map.of());

        assertThatThrownBy(() -> AgentMetadata.renderElement(broken))
                .isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("name").hasMessageContaining("unpaired surrogate");
    }

    @Test
    void modelTextThatXmlCannotCarryIsRefusedAtRender() {
        Domain designed = new DomainDesigner(SpecVariants.options(VirtType.QEMU, true)).design(SpecVariants.simpleSpec());
        Disk disk = designed.devices().disks().get(0);
        Disk bad = new Disk(disk.sourceType(), disk.device(), Path.of("/var/lib/x\u0001y"), disk.format(),
                disk.cache(), disk.io(), disk.targetDev(), disk.bus(), disk.readOnly());
        Devices devices = designed.devices();
        Domain domain = new Domain(designed.type(), designed.name(), designed.uuid(), designed.memoryKib(),
                designed.vcpus(), designed.os(), designed.features(), designed.cpu(), designed.clock(),
                designed.lifecycle(), new Devices(devices.emulator(), List.of(bad), devices.interfaces(),
                devices.serials(), devices.consoles(), devices.channels(), devices.graphics(), devices.memBalloon(),
                devices.rngs()),
                Optional.empty());

        assertThatThrownBy(() -> DomainXml.render(domain))
                .isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("source/@file").hasMessageContaining("U+0001");
    }

    @Test
    void pathWithNewlineInAnAttributeComesBackExactly() {
        Domain designed = new DomainDesigner(SpecVariants.options(VirtType.QEMU, true))
                .design(SpecVariants.spec(SpecVariants.metadata("n"), SpecVariants.simpleSpec().disks(), List.of(),
                        false));
        Serial serial = new Serial(CharDeviceType.PTY, Optional.of(new CharLog(Path.of("/tmp/a\nb\tc'\"<&>"), true)), 0);
        Devices devices = designed.devices();
        Domain domain = new Domain(designed.type(), designed.name(), designed.uuid(), designed.memoryKib(),
                designed.vcpus(), designed.os(), designed.features(), designed.cpu(), designed.clock(),
                designed.lifecycle(), new Devices(devices.emulator(), devices.disks(), devices.interfaces(),
                List.of(serial), devices.consoles(), devices.channels(), devices.graphics(), devices.memBalloon(),
                devices.rngs()),
                designed.agentMetadata());

        assertThat(DomainXml.parse(DomainXml.render(domain))).isEqualTo(domain);
    }

    private static Document parseWithPlainDom(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }
}

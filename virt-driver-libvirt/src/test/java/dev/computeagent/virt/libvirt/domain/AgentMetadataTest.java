package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentMetadataTest {

    private static final InstanceMetadata METADATA = new InstanceMetadata("web-1", new Flavor(4, 8192, 40, 10),
            "cirros-0.6", "node-7", Map.of("role", "web", "tier", ""), Map.of("state", "ACTIVE"));

    @Test
    void renderedElementParsesBackToTheSameMetadata() {
        assertThat(AgentMetadata.parseElement(AgentMetadata.renderElement(METADATA))).isEqualTo(METADATA);
    }

    @Test
    void renderedElementDeclaresNoNamespaceBecauseLibvirtInjectsIt() {
        String element = AgentMetadata.renderElement(METADATA);

        assertThat(element).startsWith("<instance>").doesNotContain("xmlns");
    }

    @Test
    void prefixedElementInTheAgentNamespaceIsAcceptedToo() {
        String element = "<a:instance xmlns:a='urn:compute-agent:instance:1'><a:name>n</a:name>"
                + "<a:flavor vcpus='1' memory_mb='64' root_gb='0' ephemeral_gb='0'/><a:image-id>i</a:image-id>"
                + "<a:owner-host>h</a:owner-host><a:user-metadata/><a:annotations/></a:instance>";

        assertThat(AgentMetadata.parseElement(element))
                .isEqualTo(new InstanceMetadata("n", new Flavor(1, 64, 0, 0), "i", "h", Map.of(), Map.of()));
    }

    @Test
    void domainWithoutMetadataIsNotTheAgents() {
        assertThat(AgentMetadata.fromDomainXml("<domain type='kvm'><name>x</name></domain>")).isEmpty();
    }

    @Test
    void agentElementIsFoundByNamespaceWhateverItsPrefix() {
        String domain = "<domain type='kvm'><metadata><zz:instance xmlns:zz='urn:compute-agent:instance:1'>"
                + "<zz:name>n</zz:name><zz:flavor vcpus='1' memory_mb='64' root_gb='0' ephemeral_gb='0'/>"
                + "<zz:image-id>i</zz:image-id><zz:owner-host>h</zz:owner-host><zz:user-metadata/>"
                + "<zz:annotations><zz:entry><zz:key>k</zz:key><zz:value>v</zz:value></zz:entry></zz:annotations>"
                + "</zz:instance></metadata></domain>";

        assertThat(AgentMetadata.fromDomainXml(domain))
                .contains(new InstanceMetadata("n", new Flavor(1, 64, 0, 0), "i", "h", Map.of(), Map.of("k", "v")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // no flavor
            "<instance><name>n</name><image-id>i</image-id><owner-host>h</owner-host><user-metadata/><annotations/></instance>",
            // vcpus out of range
            "<instance><name>n</name><flavor vcpus='0' memory_mb='64' root_gb='0' ephemeral_gb='0'/><image-id>i</image-id>"
                    + "<owner-host>h</owner-host><user-metadata/><annotations/></instance>",
            // not a number
            "<instance><name>n</name><flavor vcpus='x' memory_mb='64' root_gb='0' ephemeral_gb='0'/><image-id>i</image-id>"
                    + "<owner-host>h</owner-host><user-metadata/><annotations/></instance>",
            // two names
            "<instance><name>n</name><name>m</name><flavor vcpus='1' memory_mb='64' root_gb='0' ephemeral_gb='0'/>"
                    + "<image-id>i</image-id><owner-host>h</owner-host><user-metadata/><annotations/></instance>",
            // empty name
            "<instance><name></name><flavor vcpus='1' memory_mb='64' root_gb='0' ephemeral_gb='0'/>"
                    + "<image-id>i</image-id><owner-host>h</owner-host><user-metadata/><annotations/></instance>",
            // bad base64
            "<instance><name encoding='base64'>!!!</name><flavor vcpus='1' memory_mb='64' root_gb='0' ephemeral_gb='0'/>"
                    + "<image-id>i</image-id><owner-host>h</owner-host><user-metadata/><annotations/></instance>",
            // unknown encoding
            "<instance><name encoding='rot13'>a</name><flavor vcpus='1' memory_mb='64' root_gb='0' ephemeral_gb='0'/>"
                    + "<image-id>i</image-id><owner-host>h</owner-host><user-metadata/><annotations/></instance>",
            // duplicate key
            "<instance><name>n</name><flavor vcpus='1' memory_mb='64' root_gb='0' ephemeral_gb='0'/><image-id>i</image-id>"
                    + "<owner-host>h</owner-host><user-metadata><entry><key>k</key><value>1</value></entry>"
                    + "<entry><key>k</key><value>2</value></entry></user-metadata><annotations/></instance>",
            // entry without value
            "<instance><name>n</name><flavor vcpus='1' memory_mb='64' root_gb='0' ephemeral_gb='0'/><image-id>i</image-id>"
                    + "<owner-host>h</owner-host><user-metadata><entry><key>k</key></entry></user-metadata>"
                    + "<annotations/></instance>",
            // not the agent element
            "<other/>",
            // malformed
            "<instance><name>",
    })
    void corruptElementIsADomainXmlException(String element) {
        assertThatThrownBy(() -> AgentMetadata.parseElement(element)).isInstanceOf(DomainXmlException.class);
    }

    @Test
    void corruptAgentElementInADomainIsADomainXmlExceptionNotAbsence() {
        String domain = "<domain type='kvm'><metadata><agent:instance xmlns:agent='urn:compute-agent:instance:1'>"
                + "<agent:name>n</agent:name></agent:instance></metadata></domain>";

        assertThatThrownBy(() -> AgentMetadata.fromDomainXml(domain))
                .isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("flavor");
    }

    @Test
    void malformedDomainXmlIsADomainXmlException() {
        assertThatThrownBy(() -> AgentMetadata.fromDomainXml("<domain")).isInstanceOf(DomainXmlException.class);
    }
}

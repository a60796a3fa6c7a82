package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.designer.DomainDesigner;
import dev.computeagent.virt.libvirt.designer.SpecVariants;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What libvirtd itself makes of the rendered XML: it accepts the definition, and the agent
 * metadata (hostile text included) survives libvirt's re-serialisation, both in the domain XML
 * and through {@code virDomainSetMetadata}/{@code virDomainGetMetadata}. Runs {@code virsh}; the
 * domain is only defined, never started, and is named so that no agent treats it as its own.
 */
class DomainDefinitionLibvirtTest {

    private static final String URI = "qemu:///system";

    @TempDir
    static Path dir;

    private static final List<String> defined = new ArrayList<>();

    @BeforeAll
    static void requireLibvirt() {
        Prerequisites.requireLibvirt(URI);
    }

    @AfterAll
    static void undefineAll() throws Exception {
        for (String name : defined) {
            virsh(false, "undefine", name);
        }
    }

    @Test
    void libvirtAcceptsTheDesignAndKeepsEveryModelledPartAndTheHostileMetadata() throws Exception {
        InstanceSpec spec = SpecVariants.spec(SpecVariants.hostileMetadata(), SpecVariants.simpleSpec().disks(),
                List.of(NicSpec.user(), NicSpec.bridge("br-absent")), true);
        Domain designed = renamed(new DomainDesigner(SpecVariants.options(VirtType.detect(), true)).design(spec));

        Domain dumped = DomainXml.parse(define(designed));

        assertThat(dumped.agentMetadata()).isEqualTo(designed.agentMetadata());
        assertThat(dumped.name()).isEqualTo(designed.name());
        assertThat(dumped.uuid()).isEqualTo(designed.uuid());
        assertThat(dumped.type()).isEqualTo(designed.type());
        assertThat(dumped.memoryKib()).isEqualTo(designed.memoryKib());
        assertThat(dumped.vcpus()).isEqualTo(designed.vcpus());
        assertThat(dumped.features()).isEqualTo(designed.features());
        if (designed.cpu().isPresent()) {
            assertThat(dumped.cpu()).isEqualTo(designed.cpu());
        } else {
            // TCG: no <cpu> designed; libvirt writes its default model into the definition
            dumped.cpu().ifPresent(cpu -> assertThat(cpu.mode()).isEqualTo(CpuMode.CUSTOM));
        }
        assertThat(dumped.clock()).isEqualTo(designed.clock());
        assertThat(dumped.lifecycle()).isEqualTo(designed.lifecycle());
        assertThat(dumped.devices().emulator()).as("libvirt picks the emulator").isPresent();
        assertThat(dumped.devices().disks()).isEqualTo(designed.devices().disks());
        assertThat(dumped.devices().interfaces()).as("libvirt adds MACs")
                .allSatisfy(nic -> assertThat(nic.mac()).isPresent())
                .map(nic -> new NetInterface(nic.type(), nic.source(), Optional.empty(), nic.model()))
                .isEqualTo(designed.devices().interfaces());
        assertThat(dumped.devices().serials()).isEqualTo(designed.devices().serials());
        assertThat(dumped.devices().consoles()).isEqualTo(designed.devices().consoles());
        assertThat(dumped.devices().graphics()).isEqualTo(designed.devices().graphics());
        assertThat(dumped.devices().memBalloon()).isEqualTo(designed.devices().memBalloon());
        assertThat(dumped.devices().rngs()).isEqualTo(designed.devices().rngs());
    }

    @Test
    void metadataElementSetThroughLibvirtReadsBackExactly() throws Exception {
        Domain designed = renamed(new DomainDesigner(SpecVariants.options(VirtType.detect(), true))
                .design(SpecVariants.simpleSpec()));
        define(designed);
        InstanceMetadata updated = SpecVariants.hostileMetadata()
                .withAnnotations(Map.of("state", "STOPPED", "note", "</agent:instance>\r\n]]>&"));

        virsh(true, "metadata", designed.name(), AgentMetadata.NAMESPACE, "--key", AgentMetadata.PREFIX,
                "--set", AgentMetadata.renderElement(updated), "--config");

        assertThat(AgentMetadata.parseElement(
                virsh(true, "metadata", designed.name(), AgentMetadata.NAMESPACE, "--config"))).isEqualTo(updated);
        assertThat(AgentMetadata.fromDomainXml(virsh(true, "dumpxml", designed.name()))).contains(updated);
    }

    @Test
    void minimalAgentMetadataSurvivesLibvirt() throws Exception {
        InstanceMetadata minimal = new InstanceMetadata("x", new Flavor(1, 64, 0, 0), "i", "h", Map.of(), Map.of());
        Domain designed = renamed(new DomainDesigner(SpecVariants.options(VirtType.detect(), true))
                .design(SpecVariants.spec(minimal, SpecVariants.simpleSpec().disks(), List.of(), false)));

        assertThat(AgentMetadata.fromDomainXml(define(designed))).contains(minimal);
    }

    /** A fresh uuid and a name outside the agent's {@code instance-} scheme. */
    private static Domain renamed(Domain domain) {
        UUID uuid = UUID.randomUUID();
        return new Domain(domain.type(), "xml-test-" + uuid, uuid, domain.memoryKib(), domain.vcpus(), domain.os(),
                domain.features(), domain.cpu(), domain.clock(), domain.lifecycle(), domain.devices(),
                domain.agentMetadata());
    }

    /** Defines the domain and returns libvirt's XML of it. */
    private static String define(Domain domain) throws Exception {
        Path file = Files.createTempFile(dir, "domain-", ".xml");
        Files.writeString(file, DomainXml.render(domain));
        virsh(true, "define", file.toString());
        defined.add(domain.name());
        return virsh(true, "dumpxml", domain.name());
    }

    private static String virsh(boolean mustSucceed, String... args) {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
        command.addAll(List.of(args));
        ProcessResult r = new ProcessRunner().run(command, 30, 2L << 30, Duration.ofSeconds(30));
        if (mustSucceed && r.exitCode() != 0) {
            throw new AssertionError("virsh " + args[0] + " failed: " + r.stderr());
        }
        return r.stdout();
    }
}

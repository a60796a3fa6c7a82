package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing what libvirt really returns, and refusing what is not a domain. */
class DomainXmlParseTest {

    private static final UUID UUID_1 = UUID.fromString("8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");
    private static final InstanceMetadata METADATA = new InstanceMetadata("web <1> & \"friends\"",
            new Flavor(1, 128, 0, 0), "tiny", "node-7", Map.of("role", "web"), Map.of("state", "ACTIVE"));

    static String resource(String name) {
        try (InputStream in = DomainXmlParseTest.class.getResourceAsStream("/domain/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /domain/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void parsesRunningKvmDomainDespiteAliasesAddressesSeclabelsAndExpandedCpu() {
        Domain domain = DomainXml.parse(resource("virsh-dumpxml-running-kvm.xml"));

        assertThat(domain.type()).isEqualTo(DomainType.KVM);
        assertThat(domain.name()).isEqualTo("instance-8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");
        assertThat(domain.uuid()).isEqualTo(UUID_1);
        assertThat(domain.memoryKib()).isEqualTo(131_072);
        assertThat(domain.vcpus()).isEqualTo(1);
        assertThat(domain.os()).isEqualTo(new Os(Optional.of("x86_64"), Optional.of("pc-i440fx-7.2"), List.of(BootDevice.HD)));
        assertThat(domain.features()).isEqualTo(Set.of(Feature.ACPI, Feature.APIC));
        assertThat(domain.cpu()).hasValueSatisfying(cpu -> {
            assertThat(cpu.mode()).isEqualTo(CpuMode.CUSTOM);
            assertThat(cpu.model()).contains("EPYC-Milan");
            assertThat(cpu.features()).contains(new CpuFeature(CpuFeaturePolicy.DISABLE, "arch-capabilities"));
        });
        assertThat(domain.lifecycle()).isEqualTo(LifecycleActions.LIBVIRT_DEFAULTS);
        Devices devices = domain.devices();
        assertThat(devices.emulator()).contains("/usr/bin/qemu-system-x86_64");
        assertThat(devices.disks()).containsExactly(new Disk(DiskSourceType.FILE, DiskDevice.DISK,
                Path.of("/tmp/capture/disk"), DiskFormat.RAW, Optional.of(DiskCache.NONE), Optional.of(DiskIo.NATIVE),
                "vda", DiskBus.VIRTIO, false));
        assertThat(devices.interfaces()).containsExactly(new NetInterface(InterfaceType.USER, Optional.empty(),
                Optional.of("52:54:00:3c:af:3e"), Optional.of("virtio")));
        assertThat(devices.serials()).containsExactly(new Serial(CharDeviceType.PTY,
                Optional.of(new CharLog(Path.of("/tmp/capture/console.log"), true)), 0));
        assertThat(devices.consoles()).containsExactly(new Console(CharDeviceType.PTY, ConsoleTargetType.SERIAL, 0));
        assertThat(devices.graphics()).containsExactly(
                new Graphics(GraphicsType.VNC, Optional.of("127.0.0.1"), Optional.empty()));
        assertThat(devices.memBalloon()).contains(new MemBalloon(MemBalloonModel.VIRTIO));
        assertThat(devices.rngs()).containsExactly(new Rng(RngModel.VIRTIO, Path.of("/dev/urandom")));
        assertThat(domain.agentMetadata()).contains(METADATA);
    }

    @Test
    void parsesRunningTcgDomainWithQemusDefaultCpuModel() {
        Domain domain = DomainXml.parse(resource("virsh-dumpxml-running-qemu.xml"));

        assertThat(domain.type()).isEqualTo(DomainType.QEMU);
        assertThat(domain.cpu()).map(Cpu::model).contains(Optional.of("qemu64"));
        assertThat(domain.agentMetadata()).contains(METADATA);
    }

    @Test
    void parsesDefinedDomainWithLibvirtsDefaultsFilledIn() {
        Domain domain = DomainXml.parse(resource("virsh-dumpxml-defined-kvm.xml"));

        assertThat(domain.cpu()).contains(new Cpu(CpuMode.HOST_MODEL, Optional.empty(),
                List.of(new CpuFeature(CpuFeaturePolicy.DISABLE, "arch-capabilities"))));
        assertThat(domain.devices().graphics()).containsExactly(
                new Graphics(GraphicsType.VNC, Optional.of("127.0.0.1"), Optional.empty()));
        assertThat(domain.devices().interfaces()).singleElement()
                .satisfies(nic -> assertThat(nic.mac()).isPresent());
        assertThat(domain.agentMetadata()).contains(METADATA);
    }

    @Test
    void readsMemoryInAnyLibvirtUnit() {
        String xml = minimalDomain("<memory unit='GiB'>2</memory>");

        assertThat(DomainXml.parse(xml).memoryKib()).isEqualTo(2 * 1024 * 1024);
        assertThat(DomainXml.parse(minimalDomain("<memory>1024</memory>")).memoryKib()).isEqualTo(1024);
        assertThat(DomainXml.parse(minimalDomain("<memory unit='b'>1025</memory>")).memoryKib()).isEqualTo(2);
    }

    @Test
    void domainWithForeignMetadataHasNoAgentMetadata() {
        String xml = minimalDomain("<memory>1024</memory><metadata><x:y xmlns:x='urn:other'>z</x:y>"
                + "<instance>not ours: no namespace</instance></metadata>");

        assertThat(DomainXml.parse(xml).agentMetadata()).isEmpty();
        assertThat(AgentMetadata.fromDomainXml(xml)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "not xml at all",
            "<domain type='kvm'><name>x</name>",
            "<notadomain/>",
            "<d:domain xmlns:d='urn:x' type='kvm'/>",
            "<domain type='xen'><name>x</name><uuid>00000000-0000-4000-8000-000000000001</uuid>"
                    + "<memory>1</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>",
            "<domain type='kvm'><name>x</name><uuid>not-a-uuid</uuid><memory>1</memory><vcpu>1</vcpu>"
                    + "<os><type>hvm</type></os></domain>",
            "<domain type='kvm'><name>x</name><uuid>00000000-0000-4000-8000-000000000001</uuid>"
                    + "<memory>lots</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>",
            "<domain type='kvm'><name>x</name><uuid>00000000-0000-4000-8000-000000000001</uuid>"
                    + "<memory unit='parsec'>1</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>",
            "<domain type='kvm'><name>x</name><uuid>00000000-0000-4000-8000-000000000001</uuid>"
                    + "<memory>1</memory><vcpu>0</vcpu><os><type>hvm</type></os></domain>",
            "<domain type='kvm'><name>x</name><uuid>00000000-0000-4000-8000-000000000001</uuid>"
                    + "<memory>1</memory><vcpu>1</vcpu></domain>",
            "<domain type='kvm'><name>x</name><uuid>00000000-0000-4000-8000-000000000001</uuid>"
                    + "<memory>1</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices>"
                    + "<disk type='file'><driver name='qemu' type='vmdk'/><source file='/a'/>"
                    + "<target dev='vda' bus='virtio'/></disk></devices></domain>",
            "<domain type='kvm'><name>x</name><uuid>00000000-0000-4000-8000-000000000001</uuid>"
                    + "<memory>1</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices>"
                    + "<disk type='file'><driver name='qemu' type='raw'/><target dev='vda' bus='virtio'/></disk>"
                    + "</devices></domain>",
    })
    void malformedOrUnsupportedXmlIsADomainXmlException(String xml) {
        assertThatThrownBy(() -> DomainXml.parse(xml)).isInstanceOf(DomainXmlException.class);
    }

    @Test
    void doctypeIsRefusedSoNoEntityIsExpandedOrFetched() {
        String xml = "<!DOCTYPE domain [<!ENTITY leak SYSTEM 'file:///etc/hostname'>]>"
                + minimalDomain("<memory>1</memory>").replace("<name>x</name>", "<name>&leak;</name>");

        assertThatThrownBy(() -> DomainXml.parse(xml))
                .isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("DOCTYPE");
    }

    @Test
    void nullXmlIsADomainXmlException() {
        assertThatThrownBy(() -> DomainXml.parse(null)).isInstanceOf(DomainXmlException.class);
    }

    private static String minimalDomain(String memoryAndMore) {
        return "<domain type='kvm'><name>x</name><uuid>00000000-0000-4000-8000-000000000001</uuid>"
                + memoryAndMore + "<vcpu>1</vcpu><os><type>hvm</type></os></domain>";
    }
}

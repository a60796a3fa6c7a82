package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.libvirt.designer.DomainDesigner;
import dev.computeagent.virt.libvirt.designer.SpecVariants;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DomainXmlRoundTripTest {

    static List<SpecVariants.Variant> variants() {
        return SpecVariants.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void designedDomainSurvivesRenderAndParse(SpecVariants.Variant variant) {
        Domain designed = new DomainDesigner(variant.options()).design(variant.spec());

        String xml = DomainXml.render(designed);

        assertThat(DomainXml.parse(xml)).isEqualTo(designed);
        assertThat(DomainXml.render(DomainXml.parse(xml))).isEqualTo(xml);
    }

    @Test
    void everyOptionalPartOfTheModelSurvivesRenderAndParse() {
        Domain domain = new Domain(DomainType.QEMU, "instance-x", UUID.fromString("00000000-0000-4000-8000-000000000001"),
                1_048_576, 3, new Os(Optional.of("x86_64"), Optional.of("q35"), List.of(BootDevice.CDROM, BootDevice.HD)),
                Set.of(Feature.PAE, Feature.ACPI), Optional.of(new Cpu(CpuMode.CUSTOM, Optional.of("qemu64"),
                        List.of(new CpuFeature(CpuFeaturePolicy.REQUIRE, "lahf_lm"), new CpuFeature(CpuFeaturePolicy.FORBID, "svm")))),
                ClockOffset.LOCALTIME,
                new LifecycleActions(LifecycleAction.PRESERVE, LifecycleAction.DESTROY, LifecycleAction.COREDUMP_RESTART),
                new Devices(Optional.of("/usr/bin/qemu-system-x86_64"),
                        List.of(new Disk(DiskSourceType.BLOCK, DiskDevice.CDROM, Path.of("/dev/sr0"), DiskFormat.RAW,
                                        Optional.empty(), Optional.of(DiskIo.THREADS), "hdc", DiskBus.IDE, true),
                                new Disk(DiskSourceType.FILE, DiskDevice.DISK, Path.of("/d/with space & <amp>"),
                                        DiskFormat.QCOW2, Optional.of(DiskCache.DIRECTSYNC), Optional.empty(), "vda",
                                        DiskBus.VIRTIO, false)),
                        List.of(new NetInterface(InterfaceType.BRIDGE, Optional.of("br0"), Optional.empty(), Optional.empty())),
                        List.of(new Serial(CharDeviceType.FILE, Optional.empty(), 1)),
                        List.of(new Console(CharDeviceType.PTY, ConsoleTargetType.VIRTIO, 1)),
                        List.of(new Channel(CharDeviceType.UNIX, Channel.QEMU_GUEST_AGENT),
                                new Channel(CharDeviceType.PTY, "com.example.port")),
                        List.of(new Graphics(GraphicsType.SPICE, Optional.empty(), Optional.of(5901))),
                        Optional.of(new MemBalloon(MemBalloonModel.NONE)),
                        List.of(new Rng(RngModel.VIRTIO_NON_TRANSITIONAL, Path.of("/dev/random")))),
                Optional.of(new InstanceMetadata("n", new Flavor(64, 1_048_576, 16_384, 100), "i", "h", Map.of(), Map.of())));

        assertThat(DomainXml.parse(DomainXml.render(domain))).isEqualTo(domain);
    }

    @Test
    void domainWithoutAgentMetadataOrDevicesSurvivesRenderAndParse() {
        Domain domain = new Domain(DomainType.KVM, "foreign", UUID.fromString("00000000-0000-4000-8000-000000000002"),
                65_536, 1, new Os(Optional.empty(), Optional.empty(), List.of()), Set.of(), Optional.empty(),
                ClockOffset.UTC, LifecycleActions.LIBVIRT_DEFAULTS,
                new Devices(Optional.empty(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                        Optional.empty(), List.of()),
                Optional.empty());

        String xml = DomainXml.render(domain);

        assertThat(xml).doesNotContain("metadata");
        assertThat(DomainXml.parse(xml)).isEqualTo(domain);
    }
}

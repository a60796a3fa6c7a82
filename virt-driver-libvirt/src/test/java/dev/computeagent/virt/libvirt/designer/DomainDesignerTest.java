package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.domain.BootDevice;
import dev.computeagent.virt.libvirt.domain.CharDeviceType;
import dev.computeagent.virt.libvirt.domain.CharLog;
import dev.computeagent.virt.libvirt.domain.ClockOffset;
import dev.computeagent.virt.libvirt.domain.Console;
import dev.computeagent.virt.libvirt.domain.ConsoleTargetType;
import dev.computeagent.virt.libvirt.domain.Devices;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.DiskBus;
import dev.computeagent.virt.libvirt.domain.DiskCache;
import dev.computeagent.virt.libvirt.domain.DiskDevice;
import dev.computeagent.virt.libvirt.domain.DiskFormat;
import dev.computeagent.virt.libvirt.domain.DiskSourceType;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.DomainType;
import dev.computeagent.virt.libvirt.domain.Feature;
import dev.computeagent.virt.libvirt.domain.Graphics;
import dev.computeagent.virt.libvirt.domain.GraphicsType;
import dev.computeagent.virt.libvirt.domain.InterfaceType;
import dev.computeagent.virt.libvirt.domain.LifecycleAction;
import dev.computeagent.virt.libvirt.domain.LifecycleActions;
import dev.computeagent.virt.libvirt.domain.MemBalloon;
import dev.computeagent.virt.libvirt.domain.MemBalloonModel;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import dev.computeagent.virt.libvirt.domain.Os;
import dev.computeagent.virt.libvirt.domain.Rng;
import dev.computeagent.virt.libvirt.domain.RngModel;
import dev.computeagent.virt.libvirt.domain.Serial;
import dev.computeagent.virt.InstanceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DomainDesignerTest {

    @Test
    void tcgSpecBecomesTheCompleteExpectedDomain() {
        InstanceSpec spec = SpecVariants.spec(SpecVariants.metadata("web 1"),
                SpecVariants.simpleSpec().disks(), List.of(NicSpec.user()), true);

        Domain domain = new DomainDesigner(SpecVariants.options(VirtType.QEMU, false)).design(spec);

        Path dir = SpecVariants.INSTANCE_DIR;
        assertThat(domain).isEqualTo(new Domain(DomainType.QEMU, "instance-" + SpecVariants.UUID_1, SpecVariants.UUID_1,
                512 * 1024, 2, new Os(Optional.empty(), Optional.of("pc"), List.of(BootDevice.HD)),
                Set.of(Feature.ACPI, Feature.APIC), Optional.empty(), ClockOffset.UTC,
                new LifecycleActions(LifecycleAction.DESTROY, LifecycleAction.RESTART, LifecycleAction.DESTROY),
                new Devices(Optional.empty(),
                        List.of(new Disk(DiskSourceType.FILE, DiskDevice.DISK, dir.resolve("disk"), DiskFormat.QCOW2,
                                Optional.of(DiskCache.WRITETHROUGH), Optional.empty(), "vda", DiskBus.VIRTIO, false)),
                        List.of(new NetInterface(InterfaceType.USER, Optional.empty(), Optional.empty(), Optional.of("virtio"))),
                        List.of(new Serial(CharDeviceType.PTY, Optional.of(new CharLog(dir.resolve("console.log"), true)), 0)),
                        List.of(new Console(CharDeviceType.PTY, ConsoleTargetType.SERIAL, 0)),
                        List.of(),
                        List.of(new Graphics(GraphicsType.VNC, Optional.of("127.0.0.1"), Optional.empty())),
                        Optional.of(new MemBalloon(MemBalloonModel.VIRTIO)),
                        List.of(new Rng(RngModel.VIRTIO, Path.of("/dev/urandom")))),
                Optional.of(SpecVariants.metadata("web 1"))));
    }

    @Test
    void kvmSpecGetsAKvmDomainWithTheHostCpuPolicy() {
        Domain domain = new DomainDesigner(SpecVariants.options(VirtType.KVM, true)).design(SpecVariants.simpleSpec());

        assertThat(domain.type()).isEqualTo(DomainType.KVM);
        assertThat(domain.cpu()).hasValueSatisfying(cpu -> assertThat(cpu.features()).hasSize(1));
        assertThat(domain.devices().disks()).singleElement()
                .satisfies(disk -> assertThat(disk.cache()).contains(DiskCache.NONE));
    }

    @Test
    void configuratorsRunInOrderAndLaterOnesSeeEarlierResults() {
        DomainDesigner designer = new DomainDesigner(List.of(
                new IdentityConfigurator(VirtType.QEMU),
                (spec, domain) -> domain.vcpus = 7,
                (spec, domain) -> domain.memoryKib = domain.vcpus * 1024L));

        Domain domain = designer.design(SpecVariants.simpleSpec());

        assertThat(domain.memoryKib()).isEqualTo(7 * 1024L);
    }

    @Test
    void designerWithoutIdentityOrSizeFailsLoudly() {
        DomainDesigner designer = new DomainDesigner(List.of(new IdentityConfigurator(VirtType.QEMU)));

        assertThatThrownBy(() -> designer.design(SpecVariants.simpleSpec()))
                .isInstanceOf(IllegalStateException.class);
    }
}

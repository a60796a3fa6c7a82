package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.libvirt.domain.HostCapabilities;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@code auto} makes of a libvirtd's capabilities. */
class VirtTypeProbeTest {

    @Test
    void kvmOfferedOnACpuThatVirtualisesInHardwareIsKvm() {
        assertThat(VirtTypeProbe.fromCapabilities(new HostCapabilities("x86_64", Set.of("vmx"), Set.of("qemu", "kvm"))))
                .isEqualTo(VirtType.KVM);
        assertThat(VirtTypeProbe.fromCapabilities(new HostCapabilities("x86_64", Set.of("svm"), Set.of("qemu", "kvm"))))
                .isEqualTo(VirtType.KVM);
    }

    @Test
    void kvmOfferedOnAnX86CpuWithoutVtxOrAmdVIsASoftwareKvmAndAutoKeepsToTcg() {
        assertThat(VirtTypeProbe.fromCapabilities(new HostCapabilities("x86_64", Set.of("x2apic", "hypervisor"),
                Set.of("qemu", "kvm")))).isEqualTo(VirtType.QEMU);
    }

    @Test
    void withoutKvmOfferedItIsTcg() {
        assertThat(VirtTypeProbe.fromCapabilities(new HostCapabilities("x86_64", Set.of("vmx"), Set.of("qemu"))))
                .isEqualTo(VirtType.QEMU);
    }
}

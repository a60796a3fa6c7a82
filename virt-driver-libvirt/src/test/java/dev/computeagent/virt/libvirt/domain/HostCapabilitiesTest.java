package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts of libvirt's capabilities document that decide the virt type. */
class HostCapabilitiesTest {

    private static String capabilities(String hostArch, String guests) {
        return capabilities(hostArch, List.of(), guests);
    }

    static String capabilities(String hostArch, List<String> features, String guests) {
        StringBuilder cpu = new StringBuilder("<cpu><arch>" + hostArch + "</arch><model>EPYC</model>");
        features.forEach(f -> cpu.append("<feature name='").append(f).append("'/>"));
        return "<capabilities><host><uuid>x</uuid>" + cpu + "</cpu></host>" + guests + "</capabilities>";
    }

    static String guest(String osType, String arch, String... domainTypes) {
        StringBuilder b = new StringBuilder("<guest><os_type>" + osType + "</os_type><arch name='" + arch + "'>"
                + "<wordsize>64</wordsize><emulator>/usr/bin/qemu-system-" + arch + "</emulator>");
        for (String type : domainTypes) {
            b.append("<domain type='").append(type).append("'/>");
        }
        return b.append("</arch><features><acpi default='on' toggle='yes'/></features></guest>").toString();
    }

    @Test
    void kvmIsOfferedWhenTheHostArchitecturesHvmGuestsListIt() {
        HostCapabilities caps = HostCapabilities.parse(capabilities("x86_64",
                guest("hvm", "i686", "qemu", "kvm") + guest("hvm", "x86_64", "qemu", "kvm")));

        assertThat(caps.hostArch()).isEqualTo("x86_64");
        assertThat(caps.domainTypes()).containsExactlyInAnyOrder("qemu", "kvm");
        assertThat(caps.supports(DomainType.KVM)).isTrue();
    }

    @Test
    void withoutKvmOnlyQemuIsOffered() {
        HostCapabilities caps = HostCapabilities.parse(capabilities("x86_64",
                guest("hvm", "i686", "qemu") + guest("hvm", "x86_64", "qemu")));

        assertThat(caps.supports(DomainType.KVM)).isFalse();
        assertThat(caps.supports(DomainType.QEMU)).isTrue();
    }

    @Test
    void kvmForAnotherArchitectureOrForNonHvmGuestsDoesNotCount() {
        HostCapabilities caps = HostCapabilities.parse(capabilities("x86_64",
                guest("hvm", "aarch64", "kvm") + guest("xen", "x86_64", "kvm") + guest("hvm", "x86_64", "qemu")));

        assertThat(caps.domainTypes()).containsExactly("qemu");
    }

    @Test
    void aDocumentWithoutHostArchitectureOrNotXmlIsRefused() {
        assertThatThrownBy(() -> HostCapabilities.parse("<capabilities><host/></capabilities>"))
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("host architecture");
        assertThatThrownBy(() -> HostCapabilities.parse("not xml")).isInstanceOf(DomainXmlException.class);
    }

    @Test
    void anX86HostVirtualisesInHardwareOnlyWithVmxOrSvm() {
        String guests = guest("hvm", "x86_64", "qemu", "kvm");
        assertThat(HostCapabilities.parse(capabilities("x86_64", List.of("vme", "vmx", "avx2"), guests))
                .virtualisesInHardware()).isTrue();
        assertThat(HostCapabilities.parse(capabilities("x86_64", List.of("svm", "x2apic"), guests))
                .virtualisesInHardware()).isTrue();
        HostCapabilities softwareKvm = HostCapabilities.parse(capabilities("x86_64",
                List.of("vme", "x2apic", "hypervisor"), guests));
        assertThat(softwareKvm.hostCpuFeatures()).containsExactlyInAnyOrder("vme", "x2apic", "hypervisor");
        assertThat(softwareKvm.virtualisesInHardware()).isFalse();
    }

    @Test
    void otherArchitecturesAreNotJudgedByX86Features() {
        assertThat(HostCapabilities.parse(capabilities("aarch64", guest("hvm", "aarch64", "qemu", "kvm")))
                .virtualisesInHardware()).isTrue();
    }
}

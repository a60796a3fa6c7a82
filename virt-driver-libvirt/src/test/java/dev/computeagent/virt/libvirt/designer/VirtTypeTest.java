package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VirtTypeTest {

    @TempDir
    Path dir;

    private Path cpuinfo(String flags) throws IOException {
        return Files.writeString(dir.resolve("cpuinfo-" + flags.hashCode()),
                "processor\t: 0\nflags\t\t: " + flags + "\n");
    }

    @Test
    void missingKvmDeviceMeansQemu() throws Exception {
        assertThat(VirtType.detect(dir.resolve("kvm"), cpuinfo("fpu vmx"))).isEqualTo(VirtType.QEMU);
    }

    @Test
    void deviceThatCannotBeOpenedReadWriteMeansQemu() throws Exception {
        assertThat(VirtType.detect(dir, cpuinfo("fpu vmx"))).isEqualTo(VirtType.QEMU);
    }

    @Test
    void regularFileThatOpensReadWriteIsNoKvmDevice() throws Exception {
        assertThat(VirtType.detect(Files.createFile(dir.resolve("kvm")), cpuinfo("fpu vmx"))).isEqualTo(VirtType.QEMU);
    }

    @Test
    void characterDeviceThatOpensReadWriteOnACpuWithVtxOrAmdVMeansKvm() throws Exception {
        assertThat(VirtType.detect(Path.of("/dev/null"), cpuinfo("fpu vmx hypervisor"))).isEqualTo(VirtType.KVM);
        assertThat(VirtType.detect(Path.of("/dev/null"), cpuinfo("fpu svm"))).isEqualTo(VirtType.KVM);
    }

    @Test
    void aKvmDeviceOnAnX86CpuWithoutVtxOrAmdVIsASoftwareKvmAndMeansQemu() throws Exception {
        assertThat(VirtType.detect(Path.of("/dev/null"), cpuinfo("fpu x2apic hypervisor"))).isEqualTo(VirtType.QEMU);
    }

    @Test
    void withoutX86FlagsTheKvmDeviceDecides() {
        assertThat(VirtType.detect(Path.of("/dev/null"), dir.resolve("no-cpuinfo"))).isEqualTo(VirtType.KVM);
    }

    @Test
    void detectAgreesWithOpeningTheRealDeviceReadWriteAndTheCpuFlagsAndLeavesNoFileBehind() throws Exception {
        boolean existed = Files.exists(VirtType.DEV_KVM);
        boolean usable;
        // no CREATE: on a host without KVM the probe must not leave a regular file at /dev/kvm
        try (FileChannel kvm = FileChannel.open(VirtType.DEV_KVM, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            usable = true;
        } catch (IOException e) {
            usable = false;
        }

        List<String> flags = List.of(Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("flags")).findFirst().orElse("no x86 flags: vmx").split("\\s+"));
        boolean hardware = flags.contains("vmx") || flags.contains("svm");

        assertThat(VirtType.detect()).isEqualTo(usable && hardware ? VirtType.KVM : VirtType.QEMU);
        assertThat(Files.exists(VirtType.DEV_KVM)).isEqualTo(existed);
    }

    @Test
    void configValuesAreCaseInsensitive() {
        assertThat(VirtType.fromConfig("KVM")).isEqualTo(VirtType.KVM);
        assertThat(VirtType.fromConfig(" qemu ")).isEqualTo(VirtType.QEMU);
        assertThat(VirtType.fromConfig("auto")).isEqualTo(VirtType.detect());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "xen", "kvm2"})
    void otherConfigValuesAreRefused(String value) {
        assertThatThrownBy(() -> VirtType.fromConfig(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, kvm or qemu");
    }

    @Test
    void xmlNamesAreLibvirts() {
        assertThat(VirtType.KVM.xmlName()).isEqualTo("kvm");
        assertThat(VirtType.QEMU.xmlName()).isEqualTo("qemu");
    }
}

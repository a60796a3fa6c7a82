package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.libvirt.domain.CpuMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuPolicyTest {

    @TempDir
    Path dir;

    @Test
    void tcgUsesTheHypervisorDefaultCpu() throws Exception {
        assertThat(CpuPolicy.forHost(VirtType.QEMU, cpuinfo("fpu vme hypervisor"))).isEqualTo(CpuPolicy.hypervisorDefault());
    }

    @Test
    void kvmOnBareMetalUsesPlainHostModel() throws Exception {
        assertThat(CpuPolicy.forHost(VirtType.KVM, cpuinfo("fpu vme svm hypervisorx")))
                .isEqualTo(new CpuPolicy(Optional.of(CpuMode.HOST_MODEL), List.of()));
    }

    @Test
    void kvmInsideAVirtualMachineHidesArchCapabilities() throws Exception {
        assertThat(CpuPolicy.forHost(VirtType.KVM, cpuinfo("fpu vme svm hypervisor lahf_lm")))
                .isEqualTo(new CpuPolicy(Optional.of(CpuMode.HOST_MODEL), List.of("arch-capabilities")));
    }

    @Test
    void unreadableCpuinfoCountsAsBareMetal() {
        assertThat(CpuPolicy.forHost(VirtType.KVM, dir.resolve("missing")))
                .isEqualTo(new CpuPolicy(Optional.of(CpuMode.HOST_MODEL), List.of()));
    }

    @Test
    void featureNamesAreValidatedAndNeedAMode() {
        assertThatThrownBy(() -> new CpuPolicy(Optional.of(CpuMode.HOST_MODEL), List.of("a'b")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CpuPolicy(Optional.empty(), List.of("arch-capabilities")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Path cpuinfo(String flags) throws Exception {
        Path file = dir.resolve("cpuinfo");
        Files.writeString(file, "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: " + flags + "\nbugs\t\t: none\n\n"
                + "processor\t: 1\nflags\t\t: " + flags + "\n");
        return file;
    }
}

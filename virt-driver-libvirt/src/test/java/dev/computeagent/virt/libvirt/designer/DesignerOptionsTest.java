package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DesignerOptionsTest {

    @Test
    void defaultsArePcMachineLoopbackVncUrandomAndTheHostCpuPolicy() {
        DesignerOptions options = DesignerOptions.defaults(VirtType.QEMU);

        assertThat(options.virtType()).isEqualTo(VirtType.QEMU);
        assertThat(options.machineType()).isEqualTo("pc");
        assertThat(options.vncListenAddress()).isEqualTo("127.0.0.1");
        assertThat(options.rngSource()).isEqualTo(Path.of("/dev/urandom"));
        assertThat(options.cpuPolicy()).isEqualTo(CpuPolicy.hypervisorDefault());
        assertThat(DesignerOptions.defaults(VirtType.KVM).cpuPolicy()).isEqualTo(CpuPolicy.forHost(VirtType.KVM));
    }

    @Test
    void machineTypeIsValidated() {
        assertThatThrownBy(() -> DesignerOptions.defaults(VirtType.QEMU).withMachineType("pc'/><x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(DesignerOptions.defaults(VirtType.QEMU).withMachineType("pc-q35-7.2").machineType())
                .isEqualTo("pc-q35-7.2");
    }
}

package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VirtTypeTest {

    @TempDir
    Path dir;

    @Test
    void missingKvmDeviceMeansQemu() {
        assertThat(VirtType.detect(dir.resolve("kvm"))).isEqualTo(VirtType.QEMU);
    }

    @Test
    void deviceThatCannotBeOpenedReadWriteMeansQemu() {
        assertThat(VirtType.detect(dir)).isEqualTo(VirtType.QEMU);
    }

    @Test
    void regularFileThatOpensReadWriteIsNoKvmDevice() throws Exception {
        assertThat(VirtType.detect(Files.createFile(dir.resolve("kvm")))).isEqualTo(VirtType.QEMU);
    }

    @Test
    void characterDeviceThatOpensReadWriteMeansKvm() {
        assertThat(VirtType.detect(Path.of("/dev/null"))).isEqualTo(VirtType.KVM);
    }

    @Test
    void detectAgreesWithOpeningTheRealDeviceReadWriteAndLeavesNoFileBehind() {
        boolean existed = Files.exists(VirtType.DEV_KVM);
        boolean usable;
        // no CREATE: on a host without KVM the probe must not leave a regular file at /dev/kvm
        try (FileChannel kvm = FileChannel.open(VirtType.DEV_KVM, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            usable = true;
        } catch (IOException e) {
            usable = false;
        }

        assertThat(VirtType.detect()).isEqualTo(usable ? VirtType.KVM : VirtType.QEMU);
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

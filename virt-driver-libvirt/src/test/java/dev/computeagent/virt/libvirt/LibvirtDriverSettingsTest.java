package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.libvirt.designer.DesignerOptions;
import dev.computeagent.virt.libvirt.designer.VirtType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LibvirtDriverSettingsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        LibvirtDriverSettings settings = LibvirtDriverSettings.defaults("qemu:///system", VirtType.KVM);

        assertThat(settings.keepaliveInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.keepaliveCount()).isEqualTo(3);
        assertThat(settings.stopResendInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.designerOptions().virtType()).isEqualTo(VirtType.KVM);
    }

    @Test
    void nonsenseIsRefusedAtConstruction() {
        LibvirtDriverSettings valid = LibvirtDriverSettings.defaults("qemu:///system", VirtType.QEMU);

        assertThatThrownBy(() -> LibvirtDriverSettings.defaults(" ", VirtType.QEMU))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> valid.withStopResendInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> valid.withKeepalive(Duration.ofSeconds(5), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> valid.withReconnectBackoff(Duration.ofMillis(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> valid.withDesignerOptions(DesignerOptions.defaults(VirtType.KVM)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("virt type");
    }
}

package dev.computeagent.virt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.device.SecretValue;
import dev.computeagent.virt.device.VolumeConnection;
import dev.computeagent.virt.device.VolumeCredentials;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DestinationVolumeTest {

    private static final UUID INSTANCE = UUID.fromString("8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");

    private static DestinationVolume chap(String device) {
        return new DestinationVolume("vol-1", device, new VolumeConnection.IscsiVolume(
                new VolumeConnection.NetworkHost("192.0.2.20", 3260), "iqn.2010-10.org.openstack:v1", 1,
                Optional.of(new VolumeCredentials("user-b", SecretValue.of("pw-never-shown")))),
                DestinationVolume.secretOn("node-8", INSTANCE, "vol-1"));
    }

    @Test
    void theSecretIdentityIsStablePerHostInstanceAndVolumeAndDiffersBetweenHosts() {
        assertThat(DestinationVolume.secretOn("node-8", INSTANCE, "vol-1"))
                .isEqualTo(DestinationVolume.secretOn("node-8", INSTANCE, "vol-1"))
                .isNotEqualTo(DestinationVolume.secretOn("node-7", INSTANCE, "vol-1"))
                .isNotEqualTo(DestinationVolume.secretOn("node-8", INSTANCE, "vol-2"))
                .isNotEqualTo(DestinationVolume.secretOn("node-8", UUID.randomUUID(), "vol-1"));
    }

    @Test
    void itsTextNeverShowsTheCredentials() {
        assertThat(chap("vdb").toString()).contains("vol-1", "vdb").doesNotContain("pw-never-shown");
        MigrationRequest request = MigrationRequest.to("qemu+tcp://node-8/system")
                .destinationVolumes(List.of(chap("vdb"))).build();
        assertThat(request.toString()).doesNotContain("pw-never-shown");
    }

    @Test
    void aRequestKeepsItsVolumesThroughItsWithersAndRefusesTwoOnOneDevice() {
        MigrationRequest request = MigrationRequest.to("qemu+tcp://node-8/system").build()
                .withDestinationVolumes(List.of(chap("vdb")))
                .withPathRewrite(Path.of("/a"), Path.of("/b")).withKeptDisks(Set.of("vdb"));

        assertThat(request.destinationVolumes()).containsExactly(chap("vdb"));
        assertThatThrownBy(() -> request.withDestinationVolumes(List.of(chap("vdb"), chap("vdb"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vdb");
        assertThatThrownBy(() -> chap("sda")).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.computeagent.agent.configdrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.SshKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConfigDriveReader} on drives the real genisoimage made: what it reads is what isoinfo reads. */
class ConfigDriveReaderTest {

    @TempDir
    Path dir;

    @BeforeEach
    void genisoimage() {
        ConfigDrives.requireGenisoimage();
    }

    @Test
    void readsBinaryUserDataAndMetadataByteForByteAndAMissingFileAsEmpty() {
        byte[] userData = new byte[64 * 1024];
        new Random(11).nextBytes(userData);
        Path iso = dir.resolve("disk.config");
        ConfigDrives.builder().build(iso, new ConfigDriveContent(UUID.randomUUID(), "vm", Map.of("k", "v"),
                Optional.of(userData), Map.of("alice", SshKeys.ED25519), List.of(), "nova"));

        assertThat(ConfigDriveReader.read(iso, "openstack/latest/user_data")).hasValue(userData);
        assertThat(ConfigDriveReader.read(iso, "openstack/latest/meta_data.json")).hasValueSatisfying(bytes ->
                assertThat(bytes).isEqualTo(ConfigDrives.file(iso, "/openstack/latest/meta_data.json")));
        assertThat(new String(ConfigDriveReader.read(iso, "openstack/latest/meta_data.json").orElseThrow(),
                StandardCharsets.UTF_8)).contains(SshKeys.ED25519);
        assertThat(ConfigDriveReader.read(iso, "openstack/latest/vendor_data2.json")).isPresent();
        assertThat(ConfigDriveReader.read(iso, "openstack/latest/network_data.json")).isPresent();
        assertThat(ConfigDriveReader.read(iso, "openstack/latest/nothing-here")).isEmpty();
        assertThat(ConfigDriveReader.read(iso, "openstack/latest")).as("a directory is no file").isEmpty();
    }

    @Test
    void aDriveWithoutUserDataHasNoneAndAFileThatIsNoIsoIsRefused() throws Exception {
        Path iso = dir.resolve("disk.config");
        ConfigDrives.builder().build(iso, new ConfigDriveContent(UUID.randomUUID(), "vm", Map.of(), Optional.empty(),
                Map.of(), List.of(), "nova"));
        assertThat(ConfigDriveReader.read(iso, "openstack/latest/user_data")).isEmpty();

        Path notIso = Files.write(dir.resolve("not.iso"), new byte[64 * 1024]);
        assertThatThrownBy(() -> ConfigDriveReader.read(notIso, "openstack/latest/user_data"))
                .isInstanceOf(ConfigDriveException.class).hasMessageContaining("not an ISO 9660");
    }
}

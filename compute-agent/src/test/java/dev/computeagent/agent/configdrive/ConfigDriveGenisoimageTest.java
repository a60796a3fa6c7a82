package dev.computeagent.agent.configdrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.amqp.AgentJson;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.image.qemu.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Config drives made by the real genisoimage and read back with isoinfo, as a guest would see them. */
class ConfigDriveGenisoimageTest {

    private static final UUID UUID_1 = UUID.fromString("8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");

    @TempDir
    Path dir;
    private final ConfigDriveBuilder builder = ConfigDrives.builder();

    @BeforeEach
    void genisoimage() {
        ConfigDrives.requireGenisoimage();
    }

    @Test
    void theDriveIsLabelledConfig2AndCarriesUserDataByteForByteAndTheMetadata() throws Exception {
        byte[] userData = new byte[64 * 1024];
        new Random(7).nextBytes(userData);
        Path iso = dir.resolve("instance/disk.config");
        String name = "Web_1 <&> \"x\"";

        builder.build(iso, new ConfigDriveContent(UUID_1, name, Map.of("owner", "team-a", "<k>", "</v>"),
                Optional.of(userData)));

        assertThat(ConfigDrives.describe(iso)).contains("Volume id: config-2");
        assertThat(ConfigDrives.file(iso, "/openstack/latest/user_data")).isEqualTo(userData);
        JsonNode meta = AgentJson.mapper().readTree(ConfigDrives.file(iso, "/openstack/latest/meta_data.json"));
        assertThat(meta.path("uuid").asString()).isEqualTo(UUID_1.toString());
        assertThat(meta.path("name").asString()).isEqualTo(name);
        assertThat(meta.path("hostname").asString()).isEqualTo("web-1-x");
        assertThat(meta.path("meta").path("<k>").asString()).isEqualTo("</v>");
        assertThat(meta.path("meta").path("owner").asString()).isEqualTo("team-a");
        try (var left = Files.list(iso.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("disk.config");
        }
        assertThat(ConfigDriveBuilder.isIso9660(Files.readAllBytes(iso))).isTrue();
    }

    @Test
    void withoutUserDataTheDriveHoldsOnlyTheMetadata() throws Exception {
        Path iso = dir.resolve("disk.config");
        builder.build(iso, new ConfigDriveContent(UUID_1, "vm", Map.of(), Optional.empty()));
        assertThat(ConfigDrives.list(iso)).contains("/openstack/latest/meta_data.json")
                .doesNotContain("user_data");
    }

    @Test
    void aDriveBuiltElsewhereIsInstalledIdenticallyAndAnythingElseIsRefused() throws Exception {
        Path built = dir.resolve("a/disk.config");
        builder.build(built, new ConfigDriveContent(UUID_1, "vm", Map.of(), Optional.of(new byte[] {1, 2, 3})));
        Path installed = dir.resolve("b/disk.config");

        builder.install(installed, Files.readAllBytes(built));

        assertThat(installed).hasSameBinaryContentAs(built);
        Path other = dir.resolve("c/disk.config");
        assertThatThrownBy(() -> builder.install(other, "#cloud-config".getBytes()))
                .isInstanceOf(ConfigDriveException.class).hasMessageContaining("not an ISO 9660 image");
        byte[] tooLarge = new byte[ConfigDriveBuilder.MAX_BYTES + 1];
        System.arraycopy(Files.readAllBytes(built), 0, tooLarge, 0, (int) Files.size(built));
        assertThatThrownBy(() -> builder.install(other, tooLarge)).isInstanceOf(ConfigDriveException.class);
        assertThat(other).doesNotExist();
    }

    @Test
    void aFailureIsTypedAndLeavesNothingBehind() throws Exception {
        Path blocked = dir.resolve("not-a-directory");
        Files.writeString(blocked, "a file where the instance directory should be");
        assertThatThrownBy(() -> builder.build(blocked.resolve("disk.config"),
                new ConfigDriveContent(UUID_1, "vm", Map.of(), Optional.empty())))
                .isInstanceOf(ConfigDriveException.class).hasMessageContaining("disk.config");

        Path iso = dir.resolve("x/disk.config");
        ConfigDriveBuilder stuck = new ConfigDriveBuilder(new ProcessRunner(), Duration.ZERO);
        assertThatThrownBy(() -> stuck.build(iso, new ConfigDriveContent(UUID_1, "vm", Map.of(),
                Optional.of(new byte[] {1}))))
                .isInstanceOf(ConfigDriveException.class).hasMessageContaining("genisoimage");
        try (var left = Files.list(iso.getParent())) {
            assertThat(left).as("no drive, no partial file, no staging directory").isEmpty();
        }
    }

    @Test
    void hostnamesAreDnsLabelsDerivedFromAnyName() {
        assertThat(ConfigDriveBuilder.hostname("Web Server_01", UUID_1)).isEqualTo("web-server-01");
        assertThat(ConfigDriveBuilder.hostname("..-db.example.-", UUID_1)).isEqualTo("db-example");
        assertThat(ConfigDriveBuilder.hostname("ünïcödé", UUID_1)).isEqualTo("ncd");
        assertThat(ConfigDriveBuilder.hostname("<>&'\"", UUID_1)).isEqualTo("instance-" + UUID_1);
        assertThat(ConfigDriveBuilder.hostname("a".repeat(70) + "-b", UUID_1)).hasSize(63).isEqualTo("a".repeat(63));
        assertThat(ConfigDriveBuilder.hostname("a".repeat(62) + "-bc", UUID_1)).isEqualTo("a".repeat(62));
    }
}

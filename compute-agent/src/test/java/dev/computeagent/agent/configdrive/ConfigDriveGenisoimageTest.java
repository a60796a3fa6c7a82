package dev.computeagent.agent.configdrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.SshKeys;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.NicSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
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
    private static final String KEY = SshKeys.ED25519;

    @TempDir
    Path dir;
    private final ConfigDriveBuilder builder = ConfigDrives.builder();

    @BeforeEach
    void genisoimage() {
        ConfigDrives.requireGenisoimage();
    }

    private static ConfigDriveContent content(String name, Map<String, String> metadata, Optional<byte[]> userData) {
        return new ConfigDriveContent(UUID_1, name, metadata, userData, Map.of(), List.of(), "nova");
    }

    @Test
    void theDriveIsLabelledConfig2AndCarriesUserDataMetadataKeysAndNetworkAsNovaWritesThem() throws Exception {
        byte[] userData = new byte[64 * 1024];
        new Random(7).nextBytes(userData);
        Path iso = dir.resolve("instance/disk.config");
        String name = "Web_1 <&> \"x\"";
        List<NicSpec> nics = List.of(
                new NicSpec(NicSpec.Type.NETWORK, Optional.of("default"), Optional.of("fa:16:3e:00:00:01"), "virtio"),
                new NicSpec(NicSpec.Type.USER, Optional.empty(), Optional.of("52:54:00:12:34:56"), "e1000"));

        builder.build(iso, new ConfigDriveContent(UUID_1, name, Map.of("owner", "team-a", "<k>", "</v>"),
                Optional.of(userData), Map.of("alice", KEY), nics, "zone-1"));

        assertThat(ConfigDrives.describe(iso)).contains("Volume id: config-2");
        assertThat(ConfigDrives.file(iso, "/openstack/latest/user_data")).isEqualTo(userData);
        JsonNode meta = json(iso, "meta_data.json");
        assertThat(meta.path("uuid").asString()).isEqualTo(UUID_1.toString());
        assertThat(meta.path("name").asString()).isEqualTo(name);
        assertThat(meta.path("hostname").asString()).isEqualTo("web-1-x");
        assertThat(meta.path("launch_index").asInt()).isZero();
        assertThat(meta.path("availability_zone").asString()).isEqualTo("zone-1");
        assertThat(meta.path("meta").path("<k>").asString()).isEqualTo("</v>");
        assertThat(meta.path("meta").path("owner").asString()).isEqualTo("team-a");
        assertThat(meta.path("public_keys").path("alice").asString()).isEqualTo(KEY);
        assertThat(meta.path("keys").get(0).path("name").asString()).isEqualTo("alice");
        assertThat(meta.path("keys").get(0).path("type").asString()).isEqualTo("ssh");
        assertThat(meta.path("keys").get(0).path("data").asString()).isEqualTo(KEY);
        assertThat(Base64.getDecoder().decode(meta.path("random_seed").asString())).hasSize(512);
        assertThat(meta.path("devices").isArray()).isTrue();

        JsonNode network = json(iso, "network_data.json");
        assertThat(network.path("links")).hasSize(2);
        assertThat(network.path("links").get(0).path("ethernet_mac_address").asString()).isEqualTo("fa:16:3e:00:00:01");
        assertThat(network.path("links").get(0).path("type").asString()).isEqualTo("bridge");
        assertThat(network.path("links").get(1).path("ethernet_mac_address").asString()).isEqualTo("52:54:00:12:34:56");
        assertThat(network.path("links").get(1).path("type").asString()).isEqualTo("phy");
        assertThat(network.path("networks")).hasSize(2).allSatisfy(n -> assertThat(n.path("type").asString())
                .isEqualTo("ipv4_dhcp"));
        assertThat(network.path("networks").get(1).path("link").asString())
                .isEqualTo(network.path("links").get(1).path("id").asString());
        assertThat(network.path("networks").get(0).path("network_id").asString()).isEqualTo("default");
        assertThat(network.path("services").isArray()).isTrue();
        assertThat(json(iso, "vendor_data.json").isObject()).isTrue();
        assertThat(json(iso, "vendor_data2.json").isObject()).isTrue();
        try (var left = Files.list(iso.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("disk.config");
        }
        assertThat(ConfigDriveBuilder.isIso9660(Files.readAllBytes(iso))).isTrue();
    }

    @Test
    void withoutUserDataNicsOrKeysTheDriveStillHoldsEveryOtherFile() throws Exception {
        Path iso = dir.resolve("disk.config");
        builder.build(iso, content("vm", Map.of(), Optional.empty()));
        assertThat(ConfigDrives.list(iso)).contains("/openstack/latest/meta_data.json",
                        "/openstack/latest/network_data.json", "/openstack/latest/vendor_data.json")
                .doesNotContain("user_data");
        assertThat(json(iso, "network_data.json").path("links")).isEmpty();
        assertThat(json(iso, "meta_data.json").path("public_keys").isObject()).isTrue();
    }

    @Test
    void everyDriveHasItsOwnRandomSeed() throws Exception {
        Path one = dir.resolve("one/disk.config");
        Path two = dir.resolve("two/disk.config");
        builder.build(one, content("vm", Map.of(), Optional.empty()));
        builder.build(two, content("vm", Map.of(), Optional.empty()));

        assertThat(json(one, "meta_data.json").path("random_seed").asString())
                .isNotEqualTo(json(two, "meta_data.json").path("random_seed").asString());
    }

    @Test
    void aNicWithoutItsMacCannotBeDescribedToTheGuest() {
        assertThatThrownBy(() -> new ConfigDriveContent(UUID_1, "vm", Map.of(), Optional.empty(), Map.of(),
                List.of(NicSpec.network("default")), "nova")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAC");
    }

    private static JsonNode json(Path iso, String file) {
        return AgentJson.mapper().readTree(ConfigDrives.file(iso, "/openstack/latest/" + file));
    }

    @Test
    void aDriveBuiltElsewhereIsInstalledIdenticallyAndAnythingElseIsRefused() throws Exception {
        Path built = dir.resolve("a/disk.config");
        builder.build(built, content("vm", Map.of(), Optional.of(new byte[] {1, 2, 3})));
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
                content("vm", Map.of(), Optional.empty())))
                .isInstanceOf(ConfigDriveException.class).hasMessageContaining("disk.config");

        Path iso = dir.resolve("x/disk.config");
        ConfigDriveBuilder stuck = new ConfigDriveBuilder(new ProcessRunner(), Duration.ZERO);
        assertThatThrownBy(() -> stuck.build(iso, content("vm", Map.of(), Optional.of(new byte[] {1}))))
                .isInstanceOf(ConfigDriveException.class).hasMessageContaining("genisoimage");
        try (var left = Files.list(iso.getParent())) {
            assertThat(left).as("no drive, no partial file, no staging directory").isEmpty();
        }
    }

    @Test
    void hostnamesAreDnsLabelsDerivedFromAnyName() {
        assertThat(OpenStackMetadata.hostname("Web Server_01", UUID_1)).isEqualTo("web-server-01");
        assertThat(OpenStackMetadata.hostname("..-db.example.-", UUID_1)).isEqualTo("db-example");
        assertThat(OpenStackMetadata.hostname("ünïcödé", UUID_1)).isEqualTo("ncd");
        assertThat(OpenStackMetadata.hostname("<>&'\"", UUID_1)).isEqualTo("instance-" + UUID_1);
        assertThat(OpenStackMetadata.hostname("a".repeat(70) + "-b", UUID_1)).hasSize(63).isEqualTo("a".repeat(63));
        assertThat(OpenStackMetadata.hostname("a".repeat(62) + "-bc", UUID_1)).isEqualTo("a".repeat(62));
    }
}

package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.configdrive.ConfigDriveOptions;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.SshKeys;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.fake.FakeComputeDriver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What spawn hands the guest: MACs chosen before the config drive, the drive when the spawn has
 * something for the guest (or the host forces it), the guest agent channel when the image declares one.
 * The fake driver records the spec; the drive is made by the real genisoimage and read with isoinfo.
 */
class SpawnGuestContractGenisoimageTest {

    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final FakeImageCache images = new FakeImageCache();
    private InstanceFiles files;

    @BeforeEach
    void setUp() {
        ConfigDrives.requireGenisoimage();
        files = new InstanceFiles(stateDir, "test-host");
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private InstanceSpec spawn(SpawnArgs request, ConfigDriveOptions options) {
        UUID uuid = UUID.randomUUID();
        InstanceRegistry registry = new InstanceRegistry("h1");
        TestSpawns.handler(driver, images, registry, files, ConfigDrives.builder(), options,
                new HostCapacity(driver, files, registry), "h1", new SimpleMeterRegistry()).handle(TestCommands.spawn("r-" + uuid, uuid, request));
        return driver.specOf(uuid).orElseThrow();
    }

    private static SpawnArgs request(List<NicSpec> nics, Map<String, String> keys) {
        return TestCommands.spawnArgs("Web 1", new Flavor(1, 128, 1, 0), "img", nics, Map.of("role", "db"),
                Optional.empty(), keys);
    }

    @Test
    void nicsGetTheirMacsBeforeTheConfigDriveTellsTheGuestAboutThem() {
        NicSpec own = new NicSpec(NicSpec.Type.USER, Optional.empty(), Optional.of("52:54:00:00:00:07"), "virtio");

        InstanceSpec spec = spawn(request(List.of(NicSpec.network("default"), own), Map.of()), ConfigDrives.OPTIONS);

        assertThat(spec.nics()).allSatisfy(nic -> assertThat(nic.mac()).isPresent());
        assertThat(spec.nics().get(0).mac().orElseThrow()).startsWith("fa:16:3e:");
        assertThat(spec.nics().get(1)).isEqualTo(own);
        DiskSpec drive = spec.disks().get(spec.disks().size() - 1);
        assertThat(drive.path()).isEqualTo(files.configDrive(spec.uuid()));
        assertThat(drive.bus()).isEqualTo(DiskSpec.Bus.IDE);
        assertThat(drive.media()).isEqualTo(DiskSpec.Media.CDROM);
        JsonNode links = json(drive.path(), "network_data.json").path("links");
        assertThat(links).hasSize(2);
        assertThat(links.get(0).path("ethernet_mac_address").asString()).isEqualTo(spec.nics().get(0).mac().get());
        assertThat(links.get(1).path("ethernet_mac_address").asString()).isEqualTo("52:54:00:00:00:07");
        JsonNode meta = json(drive.path(), "meta_data.json");
        assertThat(meta.path("uuid").asString()).isEqualTo(spec.uuid().toString());
        assertThat(meta.path("hostname").asString()).isEqualTo("web-1");
        assertThat(meta.path("availability_zone").asString()).isEqualTo("nova");
        assertThat(meta.path("meta").path("role").asString()).isEqualTo("db");
    }

    @Test
    void sshKeysAloneAreReasonEnoughForADrive() {
        InstanceSpec spec = spawn(request(List.of(), Map.of("alice", SshKeys.ED25519)), ConfigDrives.OPTIONS);

        assertThat(spec.disks()).extracting(DiskSpec::device).containsExactly("vda", "hdd");
        assertThat(json(files.configDrive(spec.uuid()), "meta_data.json").path("public_keys").path("alice").asString())
                .isEqualTo(SshKeys.ED25519);
    }

    @Test
    void aSpawnWithNothingForTheGuestGetsNoDriveUnlessTheHostForcesOne() {
        InstanceSpec plain = spawn(request(List.of(), Map.of()), ConfigDrives.OPTIONS);
        assertThat(plain.disks()).extracting(DiskSpec::device).containsExactly("vda");
        assertThat(files.configDrive(plain.uuid())).doesNotExist();

        InstanceSpec forced = spawn(request(List.of(), Map.of()), new ConfigDriveOptions(true, "zone-b"));
        assertThat(forced.disks()).extracting(DiskSpec::device).containsExactly("vda", "hdd");
        assertThat(json(files.configDrive(forced.uuid()), "meta_data.json").path("availability_zone").asString())
                .isEqualTo("zone-b");
    }

    @Test
    void anImageDeclaringTheQemuGuestAgentGetsItsChannelAndOthersDoNot() {
        images.setProperties("agent-img", Map.of("hw_qemu_guest_agent", "yes"));
        SpawnArgs withAgent = TestCommands.spawnArgs("a", new Flavor(1, 128, 1, 0), "agent-img", List.of(), Map.of(),
                Optional.empty());

        assertThat(spawn(withAgent, ConfigDrives.OPTIONS).guestAgent()).isTrue();
        assertThat(spawn(request(List.of(), Map.of()), ConfigDrives.OPTIONS).guestAgent()).isFalse();
    }

    private static JsonNode json(Path iso, String file) {
        return AgentJson.mapper().readTree(ConfigDrives.file(iso, "/openstack/latest/" + file));
    }
}

package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.configdrive.ConfigDriveReader;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.RebuildArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.RebuildFiles;
import dev.computeagent.agent.state.RebuildRecord;
import dev.computeagent.agent.state.RebuildRecord.Phase;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.SshKeys;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InterfaceStatus;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rebuild} and its recovery on the fake driver (real config drives, built by genisoimage): a new root disk
 * of the new image, the ephemeral disk made anew unless preserved, the config drive built again with the new user
 * data and the old keys, the same NICs and MACs, the power state kept; an image that cannot be had changes
 * nothing; every cut is rolled back (new disks incomplete) or finished.
 */
class RebuildWithFakeDriverTest {

    static final Flavor FLAVOR = new Flavor(1, 128, 1, 1);
    static final NicSpec NIC = new NicSpec(NicSpec.Type.USER, Optional.empty(), Optional.of("52:54:00:12:34:56"),
            "virtio");

    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final FakeImageCache images = new FakeImageCache();
    private final UUID uuid = UUID.randomUUID();
    private InstanceFiles files;
    private InstanceStore store;
    private RebuildFiles rebuildFiles;
    private RebuildCompletion completion;
    private RebuildHandler rebuild;
    private RebuildRecovery recovery;

    @BeforeEach
    void setUp() {
        ConfigDrives.requireGenisoimage();
        InstanceRegistry registry = new InstanceRegistry("h1");
        files = new InstanceFiles(stateDir, "test-host");
        store = new InstanceStore(driver, registry);
        rebuildFiles = new RebuildFiles(files);
        InstanceProvisioner provisioner = new InstanceProvisioner(images, files, ConfigDrives.builder());
        completion = new RebuildCompletion(driver, store, rebuildFiles, provisioner);
        rebuild = new RebuildHandler(driver, images, store, files, rebuildFiles, provisioner, ConfigDrives.OPTIONS,
                completion);
        recovery = new RebuildRecovery(store, rebuildFiles, completion);
        HostCapacity capacity = new HostCapacity(driver, files, registry);
        TestSpawns.handler(driver, images, registry, files, ConfigDrives.builder(), ConfigDrives.OPTIONS, capacity,
                "h1", new SimpleMeterRegistry()).handle(TestCommands.spawn("spawn-1", uuid,
                TestCommands.spawnArgs("vm", FLAVOR, "img", List.of(NIC), Map.of("role", "db"),
                        Optional.of("old user data".getBytes(StandardCharsets.UTF_8)), Map.of("k1", SshKeys.ED25519))));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private Command<RebuildArgs> rebuildTo(String request, String imageId, String userData,
                                                  Boolean preserveEphemeral) {
        return Command.of(request, uuid, CommandName.REBUILD, new RebuildArgs(imageId,
                userData == null ? null : Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)),
                null, preserveEphemeral, 0));
    }

    private String userData() {
        return new String(ConfigDriveReader.read(files.configDrive(uuid), "openstack/latest/user_data").orElseThrow(),
                StandardCharsets.UTF_8);
    }

    private void assertNothingStaged() {
        assertThat(rebuildFiles.record(uuid)).isEmpty();
        assertThat(RebuildFiles.staged(files.disk(uuid))).doesNotExist();
        assertThat(RebuildFiles.staged(files.ephemeralDisk(uuid))).doesNotExist();
        assertThat(RebuildFiles.staged(files.configDrive(uuid))).doesNotExist();
    }

    @Test
    void rebuildFromANewImageGivesNewRootAndEphemeralDisksAndUserDataAndKeepsNameNicsKeysAndPowerState()
            throws Exception {
        List<String> macs = driver.interfaces(uuid).stream().map(InterfaceStatus::mac).toList();
        Files.writeString(files.disk(uuid), "written by the guest");
        Files.writeString(files.ephemeralDisk(uuid), "scratch written by the guest");

        Outcome outcome = rebuild.handle(rebuildTo("b1", "img2", "new user data", null));

        assertThat(outcome.payload()).containsEntry("state", "ACTIVE").containsEntry("image_id", "img2");
        assertThat(Files.readString(files.disk(uuid))).isEqualTo("qcow2 overlay of img2");
        assertThat(Files.readString(files.ephemeralDisk(uuid))).startsWith("empty qcow2 disk");
        assertThat(userData()).isEqualTo("new user data");
        // read with isoinfo too: the drive is what cloud-init reads, not only what the agent's reader sees
        assertThat(new String(ConfigDrives.file(files.configDrive(uuid), "/openstack/latest/user_data"),
                StandardCharsets.UTF_8)).isEqualTo("new user data");
        String metaData = new String(ConfigDrives.file(files.configDrive(uuid), "/openstack/latest/meta_data.json"),
                StandardCharsets.UTF_8);
        assertThat(metaData).contains("\"k1\"").contains(SshKeys.ED25519).contains("\"role\"").contains("\"vm\"");
        assertThat(driver.interfaces(uuid)).extracting(InterfaceStatus::mac).isEqualTo(macs);
        assertThat(driver.info(uuid).metadata().imageId()).isEqualTo("img2");
        assertThat(driver.info(uuid).metadata().name()).isEqualTo("vm");
        assertThat(driver.info(uuid).metadata().annotations()).containsEntry(Annotations.REBUILD_REQUEST, "b1");
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(driver.bootCount(uuid)).isEqualTo(2);
        assertNothingStaged();

        // re-sent after it finished (a redelivery before the journal recorded it): answered, not run again
        assertThat(rebuild.handle(rebuildTo("b1", "img2", "new user data", null)).payload())
                .containsEntry("state", "ACTIVE");
        assertThat(driver.callCount(FakeOperation.REDEFINE)).isEqualTo(1);
        assertThat(driver.bootCount(uuid)).isEqualTo(2);
    }

    @Test
    void aStoppedInstanceIsRebuiltStoppedWithItsEphemeralDiskPreservedAndItsUserDataKept() throws Exception {
        driver.stop(uuid, Duration.ZERO);
        store.record(uuid, InstanceState.STOPPED, null);
        Files.writeString(files.ephemeralDisk(uuid), "scratch written by the guest");

        Outcome outcome = rebuild.handle(rebuildTo("b1", null, null, true));

        assertThat(outcome.payload()).containsEntry("state", "STOPPED").containsEntry("image_id", "img");
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
        assertThat(Files.readString(files.ephemeralDisk(uuid))).isEqualTo("scratch written by the guest");
        assertThat(Files.readString(files.disk(uuid))).isEqualTo("qcow2 overlay of img");
        assertThat(userData()).isEqualTo("old user data");
        assertThat(driver.bootCount(uuid)).isEqualTo(1);
        assertNothingStaged();
    }

    @Test
    void anImageThatCannotBeHadLeavesTheInstanceAsItWas() throws Exception {
        Files.writeString(files.disk(uuid), "written by the guest");
        images.failFetch("gone", () -> new ImageNotFoundException("no image gone"));

        assertThatThrownBy(() -> rebuild.handle(rebuildTo("b1", "gone", "new user data", null)))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.IMAGE_NOT_FOUND));

        assertThat(driver.callCount(FakeOperation.STOP)).isZero();
        assertThat(Files.readString(files.disk(uuid))).isEqualTo("written by the guest");
        assertThat(userData()).isEqualTo("old user data");
        assertThat(driver.info(uuid).metadata().imageId()).isEqualTo("img");
        assertNothingStaged();
    }

    @Test
    void aFailureAfterTheNewDisksWereMadeIsFinishedByTheSameRequestAgain() throws Exception {
        driver.failNext(FakeOperation.REDEFINE, new HypervisorException("libvirt said no"));

        assertThatThrownBy(() -> rebuild.handle(rebuildTo("b1", "img2", "new user data", null)))
                .hasMessageContaining("libvirt said no");
        assertThat(rebuildFiles.record(uuid)).map(RebuildRecord::phase).contains(Phase.SWAPPING);
        assertThat(driver.info(uuid).metadata().annotations().get(Annotations.LAST_ERROR)).contains("rebuild failed");

        assertThat(rebuild.handle(rebuildTo("b1", "img2", "new user data", null)).payload())
                .containsEntry("state", "ACTIVE").containsEntry("image_id", "img2");
        assertThat(Files.readString(files.disk(uuid))).isEqualTo("qcow2 overlay of img2");
        assertThat(userData()).isEqualTo("new user data");
        assertThat(driver.info(uuid).metadata().annotations()).doesNotContainKey(Annotations.LAST_ERROR);
        assertNothingStaged();
    }

    @Test
    void aRebuildCutWhileItsNewDisksWereMadeIsRolledBackAtStartUp() throws Exception {
        Files.writeString(files.disk(uuid), "written by the guest");
        rebuildFiles.write(uuid, new RebuildRecord(Phase.PREPARING, "b1", "img2", true));
        Files.writeString(RebuildFiles.staged(files.disk(uuid)), "qcow2 overlay of img2");

        assertThat(recovery.recover(driver.info(uuid))).as("the reconciliation goes on with it").isFalse();

        assertThat(Files.readString(files.disk(uuid))).isEqualTo("written by the guest");
        assertThat(driver.info(uuid).metadata().imageId()).isEqualTo("img");
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(driver.callCount(FakeOperation.STOP)).isZero();
        assertNothingStaged();
    }

    @Test
    void aRebuildCutAfterItsNewDisksWereCompleteIsFinishedAtStartUpAtEachKillPoint() throws Exception {
        // killed before the guest was shut down: everything is still to do
        rebuildFiles.write(uuid, new RebuildRecord(Phase.SWAPPING, "b1", "img2", true));
        images.createOverlay("img2", RebuildFiles.staged(files.disk(uuid)), 0);
        assertThat(recovery.recover(driver.info(uuid))).isTrue();
        assertThat(Files.readString(files.disk(uuid))).isEqualTo("qcow2 overlay of img2");
        assertThat(driver.info(uuid).metadata().imageId()).isEqualTo("img2");
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertNothingStaged();

        // killed after the redefinition, before the guest was started again: only the start is left
        driver.failNext(FakeOperation.START, new HypervisorException("agent killed"));
        assertThatThrownBy(() -> rebuild.handle(rebuildTo("b2", "img3", null, null)));
        assertThat(driver.info(uuid).metadata().imageId()).isEqualTo("img3");
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
        int redefinitions = driver.callCount(FakeOperation.REDEFINE);
        assertThat(recovery.recover(driver.info(uuid))).isTrue();
        assertThat(driver.callCount(FakeOperation.REDEFINE)).as("not redefined again").isEqualTo(redefinitions);
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(store.view(uuid).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(Files.readString(files.disk(uuid))).isEqualTo("qcow2 overlay of img3");
        assertThat(userData()).isEqualTo("old user data");
        assertNothingStaged();
    }
}

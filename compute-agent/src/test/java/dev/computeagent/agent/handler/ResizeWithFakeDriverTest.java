package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.message.RescueArgs;
import dev.computeagent.agent.message.ResizeArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.AttachedVolumes;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.agent.state.ResizeRecord.Phase;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import dev.computeagent.virt.fake.FakeSecurityGroupDriver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resize handlers and their recovery on the fake driver: failures roll back, every cut is finished; an
 * attached volume stays on its device, and a resize whose own disks would need it is refused.
 */
class ResizeWithFakeDriverTest {

    static final Flavor OLD = new Flavor(1, 128, 1, 0);
    static final Flavor NEW = new Flavor(2, 256, 2, 1);

    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final FakeImageCache images = new FakeImageCache();
    private final UUID uuid = UUID.randomUUID();
    private InstanceFiles files;
    private InstanceStore store;
    private ResizeFiles resizeFiles;
    private InstanceProvisioner provisioner;
    private ResizeCompletion completion;
    private ResizeHandler resize;
    private ResizeEnding ending;
    private ResizeRecovery recovery;
    private MovedResizeEnd moved;

    @BeforeEach
    void setUp() {
        InstanceRegistry registry = new InstanceRegistry("h1");
        files = new InstanceFiles(stateDir, "test-host");
        store = new InstanceStore(driver, registry);
        resizeFiles = new ResizeFiles(files);
        provisioner = new InstanceProvisioner(images, files, ConfigDrives.builder());
        completion = new ResizeCompletion(driver, store, resizeFiles, provisioner);
        HostCapacity capacity = new HostCapacity(driver, files, registry);
        resize = new ResizeHandler(driver, images, store, files, resizeFiles, provisioner, capacity, completion,
                NoOtherHosts.INSTANCE);
        ending = new ResizeEnding(driver, store, resizeFiles);
        moved = new MovedResizeEnd(driver, store, files, resizeFiles, NoOtherHosts.INSTANCE, "h1",
                new FakeSecurityGroupDriver());
        recovery = new ResizeRecovery(driver, store, resizeFiles, completion,
                new ResizeArrival(driver, images, files, resizeFiles, provisioner, store), moved);
        TestSpawns.handler(driver, images, registry, files, ConfigDrives.builder(), ConfigDrives.OPTIONS, capacity,
                "h1", new SimpleMeterRegistry()).handle(TestCommands.spawn("spawn-1", uuid,
                TestCommands.spawnArgs("vm", OLD, "img", List.of(), Map.of(), Optional.empty())));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private Command<ResizeArgs> resizeTo(String request, Flavor flavor) {
        return Command.of(request, uuid, CommandName.RESIZE, new ResizeArgs(flavor, 0));
    }

    private Outcome revert(String request) {
        return new RevertResizeHandler(ending, completion, moved).handle(
                Command.of(request, uuid, CommandName.REVERT_RESIZE, NoArgs.INSTANCE));
    }

    private Outcome confirm(String request) {
        return new ConfirmResizeHandler(ending, completion, moved).handle(
                Command.of(request, uuid, CommandName.CONFIRM_RESIZE, NoArgs.INSTANCE));
    }

    private void assertBackToTheOldSize() throws Exception {
        assertThat(driver.info(uuid).metadata().flavor()).isEqualTo(OLD);
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(driver.info(uuid).metadata().annotations()).containsEntry(Annotations.STATE, "ACTIVE");
        assertThat(driver.specOf(uuid).orElseThrow().disks()).hasSize(1);
        assertThat(resizeFiles.record(uuid)).isEmpty();
        assertThat(files.ephemeralDisk(uuid)).doesNotExist();
        assertThat(resizeFiles.keptRoot(uuid)).doesNotExist();
        assertThat(Files.readString(files.disk(uuid))).isEqualTo("qcow2 overlay of img");
    }

    @Test
    void aResizeFailingAtItsRedefinitionRollsBackToTheOldSizeAndPowerState() throws Exception {
        driver.failNext(FakeOperation.REDEFINE, new HypervisorException("libvirt said no"));
        assertThatThrownBy(() -> resize.handle(resizeTo("r1", NEW)))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.HYPERVISOR_ERROR));
        assertBackToTheOldSize();
    }

    @Test
    void aResizeThatDoesNotFitOrShrinksTheRootDiskIsRefusedAndChangesNothing() throws Exception {
        assertThatThrownBy(() -> resize.handle(resizeTo("r1", new Flavor(2, 32_768, 2, 0))))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES));
        assertThatThrownBy(() -> resize.handle(resizeTo("r2", new Flavor(2, 256, 0, 0))))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.INVALID_COMMAND));
        assertThatThrownBy(() -> resize.handle(resizeTo("r3", OLD)))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.INVALID_COMMAND));
        assertThat(driver.callCount(FakeOperation.STOP)).isZero();
        assertThat(driver.bootCount(uuid)).isEqualTo(1);
        assertBackToTheOldSize();
    }

    @Test
    void anInstanceWithAVolumeAttachedIsResizedAndRescuedWithTheVolumeKeptOnItsDevice() throws Exception {
        driver.updateAnnotations(uuid, AttachedVolumes.with(driver.info(uuid).metadata().annotations(),
                new AttachedVolumes.Entry("vol-1", "vdc", "iscsi", false)));
        assertThat(resize.handle(resizeTo("r1", NEW)).payload()).containsEntry("state", "RESIZED");
        assertThat(driver.specOf(uuid).orElseThrow().disks()).extracting(d -> d.device()).containsExactly("vda", "vdb");
        assertThat(driver.info(uuid).metadata().annotations()).containsKey("volume:vol-1");
        assertThat(revert("r2").payload()).containsEntry("state", "ACTIVE");

        RescueHandler rescue = new RescueHandler(driver, images, store, files, provisioner);
        assertThat(rescue.handle(Command.of("r3", uuid, CommandName.RESCUE, new RescueArgs(null, 0))).payload())
                .containsEntry("state", "RESCUED");
        assertThat(driver.info(uuid).metadata().annotations()).containsKey("volume:vol-1");
    }

    @Test
    void aRescueMovesTheRootDiskPastAVolumeOnVdbAndAResizeWhoseEphemeralDiskNeedsItsDeviceIsRefused() throws Exception {
        driver.updateAnnotations(uuid, AttachedVolumes.with(driver.info(uuid).metadata().annotations(),
                new AttachedVolumes.Entry("vol-1", "vdb", "iscsi", false)));
        assertThatThrownBy(() -> resize.handle(resizeTo("r1", NEW)))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.INVALID_STATE))
                .hasMessageContaining("vol-1");
        assertThat(driver.callCount(FakeOperation.STOP)).isZero();
        assertThat(resizeFiles.record(uuid)).isEmpty();

        RescueHandler rescue = new RescueHandler(driver, images, store, files, provisioner);
        rescue.handle(Command.of("r2", uuid, CommandName.RESCUE, new RescueArgs(null, 0)));
        assertThat(driver.specOf(uuid).orElseThrow().disks()).extracting(d -> d.device() + " " + d.path().getFileName())
                .containsExactly("vda disk.rescue", "vdc disk");
        assertThat(driver.info(uuid).metadata().annotations()).containsKey("volume:vol-1");
    }

    @Test
    void resizeRevertAndConfirmReSentAfterTheyFinishedAreAnsweredWithoutRunningAgain() throws Exception {
        assertThat(resize.handle(resizeTo("r1", NEW)).payload()).containsEntry("state", "RESIZED");
        Files.writeString(files.disk(uuid), "written by the resized guest");
        assertThat(resize.handle(resizeTo("r1", NEW)).payload()).containsEntry("state", "RESIZED");
        assertThat(driver.callCount(FakeOperation.REDEFINE)).isEqualTo(1);

        assertThat(revert("r2").payload()).containsEntry("state", "ACTIVE");
        assertThat(revert("r2").payload()).containsEntry("state", "ACTIVE");
        assertThat(driver.callCount(FakeOperation.REDEFINE)).isEqualTo(2);
        assertBackToTheOldSize();
        assertThatThrownBy(() -> confirm("r3"))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.INVALID_STATE));
    }

    @Test
    void recoveryFinishesAResizeCutAfterItsNewDefinition() {
        ResizeRecord record = new ResizeRecord(Phase.RESIZING, OLD, NEW, true, "r1");
        resizeFiles.write(uuid, record);
        driver.stop(uuid, Duration.ZERO);
        resizeFiles.keepOldDisks(uuid);
        images.createBlankDisk(files.ephemeralDisk(uuid), NEW.ephemeralBytes());
        driver.redefine(uuid, NEW, provisioner.disks(uuid, NEW), Annotations.with(
                driver.info(uuid).metadata().annotations(), InstanceState.RESIZED, null));

        assertThat(recovery.recover(driver.info(uuid))).isTrue();
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(driver.info(uuid).metadata().annotations()).containsEntry(Annotations.STATE, "RESIZED");
        assertThat(resizeFiles.record(uuid).orElseThrow().phase()).isEqualTo(Phase.RESIZED);
        assertThat(resizeFiles.keptRoot(uuid)).exists();
    }

    @Test
    void recoveryRollsBackAResizeCutBeforeItsNewDefinition() throws Exception {
        resizeFiles.write(uuid, new ResizeRecord(Phase.RESIZING, OLD, NEW, true, "r1"));
        driver.stop(uuid, Duration.ZERO);
        resizeFiles.keepOldDisks(uuid);
        Files.writeString(files.disk(uuid), "half grown");
        images.createBlankDisk(files.ephemeralDisk(uuid), NEW.ephemeralBytes());

        assertThat(recovery.recover(driver.info(uuid))).isTrue();
        assertBackToTheOldSize();
        assertThat(recovery.recover(driver.info(uuid))).as("nothing left to recover").isFalse();
    }

    @Test
    void recoveryFinishesARevertAndAConfirmationUnderWay() throws Exception {
        resize.handle(resizeTo("r1", NEW));
        resizeFiles.write(uuid, resizeFiles.record(uuid).orElseThrow().in(Phase.REVERTING, "r2"));
        assertThat(recovery.recover(driver.info(uuid))).isTrue();
        assertBackToTheOldSize();
        assertThat(driver.info(uuid).metadata().annotations()).containsEntry(Annotations.RESIZE_REQUEST, "r2");

        resize.handle(resizeTo("r3", NEW));
        resizeFiles.write(uuid, resizeFiles.record(uuid).orElseThrow().in(Phase.CONFIRMING, "r4"));
        assertThat(recovery.recover(driver.info(uuid))).isTrue();
        assertThat(driver.info(uuid).metadata().flavor()).isEqualTo(NEW);
        assertThat(driver.info(uuid).metadata().annotations()).containsEntry(Annotations.STATE, "ACTIVE");
        assertThat(resizeFiles.record(uuid)).isEmpty();
        assertThat(resizeFiles.keptRoot(uuid)).doesNotExist();
        assertThat(files.ephemeralDisk(uuid)).exists();
        assertThat(confirm("r4").payload()).as("the re-sent confirmation").containsEntry("state", "ACTIVE");
    }
}

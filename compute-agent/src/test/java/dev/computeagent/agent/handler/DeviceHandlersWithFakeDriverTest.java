package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.AttachInterfaceArgs;
import dev.computeagent.agent.message.AttachVolumeArgs;
import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ConnectionInfoArgs;
import dev.computeagent.agent.message.DetachInterfaceArgs;
import dev.computeagent.agent.message.DetachVolumeArgs;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.state.AttachedVolumes;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.OperationTimeoutException;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeDeviceDriver;
import dev.computeagent.virt.fake.FakeOperation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The four device handlers over the fake drivers: recorded volumes, idempotence, time-outs, no credentials out. */
class DeviceHandlersWithFakeDriverTest {

    private static final String PASSWORD = "chap-pass-never-out";
    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final FakeDeviceDriver devices = new FakeDeviceDriver(driver);
    private final UUID uuid = UUID.randomUUID();
    private AttachVolumeHandler attach;
    private DetachVolumeHandler detach;
    private AttachInterfaceHandler plug;
    private DetachInterfaceHandler unplug;

    @BeforeEach
    void setUp() {
        driver.setCheckDiskFiles(false);
        InstanceStore store = new InstanceStore(driver, new InstanceRegistry("h1"));
        attach = new AttachVolumeHandler(driver, devices, store);
        detach = new DetachVolumeHandler(driver, devices, store);
        plug = new AttachInterfaceHandler(driver, devices, store);
        unplug = new DetachInterfaceHandler(driver, devices, store);
        driver.spawn(new InstanceSpec(uuid, new InstanceMetadata("vm", new Flavor(1, 64, 1, 0), "img", "h1", Map.of(),
                Map.of()), List.of(DiskSpec.qcow2Root(Path.of("/nonexistent/disk"))), List.of(),
                Path.of("/nonexistent/console.log"), false));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static AttachVolumeArgs iscsi(String volumeId, String device) {
        return new AttachVolumeArgs(volumeId, device, null, new ConnectionInfoArgs("iscsi", new ConnectionInfoArgs.Data(
                null, null, null, null, "192.0.2.1:3260", "iqn.2010-10.org.openstack:" + volumeId, 1, "CHAP", "u",
                PASSWORD, null, null, null, null)));
    }

    private <A extends CommandArgs> Command<A> command(String requestId,
                                                                                    CommandName name, A args) {
        return Command.of(requestId, uuid, name, args);
    }

    @Test
    void attachedVolumeGetsTheFirstFreeDeviceAndIsRecordedWithoutItsCredentials() {
        Outcome outcome = attach.handle(command("r1", CommandName.ATTACH_VOLUME, iscsi("vol-1", null)));

        assertThat(outcome.payload()).containsEntry("volume_id", "vol-1").containsEntry("device", "vdb")
                .containsEntry("state", "ACTIVE");
        assertThat(outcome.payload().toString()).doesNotContain(PASSWORD);
        Map<String, String> annotations = driver.info(uuid).metadata().annotations();
        assertThat(AttachedVolumes.find(annotations, "vol-1")).contains(
                new AttachedVolumes.Entry("vol-1", "vdb", "iscsi", true));
        assertThat(annotations.toString()).doesNotContain(PASSWORD);
        assertThat(devices.volumesOf(uuid)).containsOnlyKeys("vdb");
    }

    @Test
    void attachingTheSameVolumeAgainKeepsOneAttachmentOnItsDevice() {
        attach.handle(command("r1", CommandName.ATTACH_VOLUME, iscsi("vol-1", null)));
        attach.handle(command("r2", CommandName.ATTACH_VOLUME, iscsi("vol-2", null)));

        Outcome again = attach.handle(command("r3", CommandName.ATTACH_VOLUME, iscsi("vol-1", null)));

        assertThat(again.payload()).containsEntry("device", "vdb");
        assertThat(devices.volumesOf(uuid)).containsOnlyKeys("vdb", "vdc");
        assertThatThrownBy(() -> attach.handle(command("r4", CommandName.ATTACH_VOLUME, iscsi("vol-1", "vdd"))))
                .isInstanceOfSatisfying(CommandFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_COMMAND));
    }

    @Test
    void aDeviceTakenByAnotherVolumeIsTheCallersFault() {
        attach.handle(command("r1", CommandName.ATTACH_VOLUME, iscsi("vol-1", "vdc")));

        assertThatThrownBy(() -> attach.handle(command("r2", CommandName.ATTACH_VOLUME, iscsi("vol-2", "vdc"))))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.INVALID_COMMAND));
        assertThat(AttachedVolumes.of(driver.info(uuid).metadata().annotations())).containsOnlyKeys("vol-1");
    }

    @Test
    void detachedVolumeIsForgottenAndDetachingItAgainSucceeds() {
        attach.handle(command("r1", CommandName.ATTACH_VOLUME, iscsi("vol-1", null)));

        Outcome outcome = detach.handle(command("r2", CommandName.DETACH_VOLUME, new DetachVolumeArgs("vol-1", 5)));
        Outcome again = detach.handle(command("r3", CommandName.DETACH_VOLUME, new DetachVolumeArgs("vol-1", 5)));

        assertThat(outcome.payload()).containsEntry("device", "vdb").containsEntry("volume_id", "vol-1");
        assertThat(again.payload()).containsEntry("volume_id", "vol-1").doesNotContainKey("device");
        assertThat(devices.volumesOf(uuid)).isEmpty();
        assertThat(AttachedVolumes.of(driver.info(uuid).metadata().annotations())).isEmpty();
    }

    @Test
    void aGuestThatNeverReleasesTheVolumeIsATimeoutAndTheVolumeStaysRecorded() {
        attach.handle(command("r1", CommandName.ATTACH_VOLUME, iscsi("vol-1", null)));
        devices.guestReleasesDevices(false);

        assertThatThrownBy(() -> detach.handle(command("r2", CommandName.DETACH_VOLUME,
                new DetachVolumeArgs("vol-1", 1))))
                .isInstanceOf(OperationTimeoutException.class)
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.TIMEOUT));

        assertThat(AttachedVolumes.find(driver.info(uuid).metadata().annotations(), "vol-1")).isPresent();
        assertThat(devices.volumesOf(uuid)).containsOnlyKeys("vdb");
    }

    @Test
    void hotPluggedNicWithoutMacGetsTheSameDerivedMacOnARedeliveryAndCanBeUnplugged() {
        AttachInterfaceArgs args = new AttachInterfaceArgs(new NicArgs("network", "default", null, null));

        Object mac = plug.handle(command("r1", CommandName.ATTACH_INTERFACE, args)).payload().get("mac");
        Object again = plug.handle(command("r1", CommandName.ATTACH_INTERFACE, args)).payload().get("mac");

        assertThat(mac).asString().startsWith("fa:16:3e:");
        assertThat(again).isEqualTo(mac);
        assertThat(devices.attached(uuid).macs()).containsExactly((String) mac);
        unplug.handle(command("r2", CommandName.DETACH_INTERFACE, new DetachInterfaceArgs((String) mac, 5)));
        assertThat(devices.attached(uuid).macs()).isEmpty();
    }

    @Test
    void theFourHandlersGivenTheStateChecksReadDoNotReadTheInstanceAgain() {
        // the fake device driver reads the instance on its own: what is compared is the handlers' share
        int unread = infoReads(() -> attach.handle(command("r1", CommandName.ATTACH_VOLUME, iscsi("vol-1", null))));
        Optional<InstanceInfo> read = Optional.of(driver.info(uuid));
        int admitted = infoReads(() -> attach.handle(command("r2", CommandName.ATTACH_VOLUME, iscsi("vol-2", null)),
                read));
        assertThat(admitted).isEqualTo(unread - 1);
        assertThat(devices.volumesOf(uuid)).containsOnlyKeys("vdb", "vdc");
        assertThat(AttachedVolumes.of(driver.info(uuid).metadata().annotations())).containsOnlyKeys("vol-1", "vol-2");

        unread = infoReads(() -> detach.handle(command("r3", CommandName.DETACH_VOLUME,
                new DetachVolumeArgs("vol-1", 5))));
        Optional<InstanceInfo> again = Optional.of(driver.info(uuid));
        admitted = infoReads(() -> detach.handle(command("r4", CommandName.DETACH_VOLUME,
                new DetachVolumeArgs("vol-2", 5)), again));
        assertThat(admitted).isEqualTo(unread - 1);
        assertThat(devices.volumesOf(uuid)).isEmpty();
        assertThat(AttachedVolumes.of(driver.info(uuid).metadata().annotations())).isEmpty();

        AttachInterfaceArgs nic = new AttachInterfaceArgs(new NicArgs("network", "default", "52:54:00:00:00:01", null));
        unread = infoReads(() -> plug.handle(command("r5", CommandName.ATTACH_INTERFACE, nic)));
        Optional<InstanceInfo> plugged = Optional.of(driver.info(uuid));
        admitted = infoReads(() -> plug.handle(command("r5", CommandName.ATTACH_INTERFACE, nic), plugged));
        assertThat(admitted).isEqualTo(unread - 1);
        DetachInterfaceArgs unplugged = new DetachInterfaceArgs("52:54:00:00:00:01", 5);
        unread = infoReads(() -> unplug.handle(command("r6", CommandName.DETACH_INTERFACE, unplugged)));
        Optional<InstanceInfo> gone = Optional.of(driver.info(uuid));
        admitted = infoReads(() -> unplug.handle(command("r6", CommandName.DETACH_INTERFACE, unplugged), gone));
        assertThat(admitted).isEqualTo(unread - 1);
        assertThat(devices.attached(uuid).macs()).isEmpty();
    }

    /** How often the compute driver was asked for the instance while {@code handling} ran. */
    private int infoReads(Runnable handling) {
        int before = driver.callCount(FakeOperation.INFO);
        handling.run();
        return driver.callCount(FakeOperation.INFO) - before;
    }

    @Test
    void unknownInstanceIsNotFound() {
        Command<AttachVolumeArgs> elsewhere = Command.of("r1", UUID.randomUUID(), CommandName.ATTACH_VOLUME,
                iscsi("vol-1", null));

        assertThatThrownBy(() -> attach.handle(elsewhere)).isInstanceOf(InstanceNotFoundException.class);
    }
}

package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.AttachVolumeArgs;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.state.AttachedVolumes;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.device.AttachedDevices;
import dev.computeagent.virt.device.DeviceDriver;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.device.VolumeConnection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code attach_volume}: attaches the volume (live and persistent on a running instance, persistent on a
 * stopped one: the driver's contract) and records it in the instance's annotations, without its
 * credentials. Attaching a volume already attached (same id, same device or none asked) succeeds again;
 * a device taken by another disk, or a volume attached elsewhere on the instance, is refused
 * ({@code INVALID_COMMAND}). No device asked = the first free one from {@code vdb}.
 */
public final class AttachVolumeHandler implements CommandHandler<AttachVolumeArgs> {

    private final ComputeDriver driver;
    private final DeviceDriver devices;
    private final InstanceStore store;

    public AttachVolumeHandler(ComputeDriver driver, DeviceDriver devices, InstanceStore store) {
        this.driver = driver;
        this.devices = devices;
        this.store = store;
    }

    @Override
    public CommandName command() {
        return CommandName.ATTACH_VOLUME;
    }

    @Override
    public Outcome handle(Command<AttachVolumeArgs> command) {
        return handle(command, Optional.empty());
    }

    @Override
    public Outcome handle(Command<AttachVolumeArgs> command, Optional<InstanceInfo> admitted) {
        AttachVolumeArgs args = command.args();
        InstanceInfo info = admitted.orElseGet(() -> driver.info(command.instanceUuid()));
        Map<String, String> annotations = info.metadata().annotations();
        Optional<AttachedVolumes.Entry> recorded = AttachedVolumes.find(annotations, args.volumeId());
        if (recorded.isPresent() && args.device() != null && !recorded.get().device().equals(args.device())) {
            throw new CommandFailedException(ErrorCode.INVALID_COMMAND, "volume " + args.volumeId()
                    + " is attached as " + recorded.get().device() + " already", false);
        }
        VolumeConnection connection = args.connectionInfo().toConnection();
        // the device is chosen from the driver's own read of the instance, the one the attach is checked against
        String device = devices.attachVolume(command.instanceUuid(), present -> new VolumeAttachment(args.volumeId(),
                recorded.map(AttachedVolumes.Entry::device).orElseGet(() -> args.device() != null ? args.device()
                        : firstFreeDevice(command, present, annotations)),
                connection, args.readOnlyOrDefault())).device();
        Map<String, String> next = AttachedVolumes.with(annotations, new AttachedVolumes.Entry(args.volumeId(), device,
                args.connectionInfo().driverVolumeType(), connection.shared()));
        Map<String, Object> payload = new LinkedHashMap<>(Outcome.payloadOf(store.recordAnnotations(info, next)));
        payload.put("volume_id", args.volumeId());
        payload.put("device", device);
        return new Outcome(payload);
    }

    private static String firstFreeDevice(Command<AttachVolumeArgs> command, AttachedDevices present,
                                          Map<String, String> annotations) {
        Set<String> taken = new HashSet<>(present.disks());
        AttachedVolumes.of(annotations).values().forEach(v -> taken.add(v.device()));
        for (char c = 'b'; c <= 'z'; c++) {
            if (!taken.contains("vd" + c)) {
                return "vd" + c;
            }
        }
        throw new CommandFailedException(ErrorCode.INSUFFICIENT_RESOURCES, "instance " + command.instanceUuid()
                + " has no free disk device (vdb-vdz)", false);
    }
}

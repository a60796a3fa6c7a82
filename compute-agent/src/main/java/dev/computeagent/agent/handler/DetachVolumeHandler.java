package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.DetachVolumeArgs;
import dev.computeagent.agent.state.AttachedVolumes;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.device.DeviceDriver;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code detach_volume}: detaches the recorded volume (waiting up to {@code timeout_s} for a running guest
 * to release it) and forgets it. A volume not attached succeeds. A guest that does not release it in time
 * is {@code TIMEOUT}: the volume stays attached and recorded, and the detach can be sent again.
 */
public final class DetachVolumeHandler implements CommandHandler<DetachVolumeArgs> {

    private final ComputeDriver driver;
    private final DeviceDriver devices;
    private final InstanceStore store;

    public DetachVolumeHandler(ComputeDriver driver, DeviceDriver devices, InstanceStore store) {
        this.driver = driver;
        this.devices = devices;
        this.store = store;
    }

    @Override
    public CommandName command() {
        return CommandName.DETACH_VOLUME;
    }

    @Override
    public Outcome handle(Command<DetachVolumeArgs> command) {
        return handle(command, Optional.empty());
    }

    @Override
    public Outcome handle(Command<DetachVolumeArgs> command, Optional<InstanceInfo> admitted) {
        DetachVolumeArgs args = command.args();
        InstanceInfo info = admitted.orElseGet(() -> driver.info(command.instanceUuid()));
        Map<String, String> annotations = info.metadata().annotations();
        Optional<AttachedVolumes.Entry> recorded = AttachedVolumes.find(annotations, args.volumeId());
        Map<String, Object> payload;
        if (recorded.isPresent()) {
            devices.detachVolume(command.instanceUuid(), recorded.get().device(), args.timeout());
            payload = new LinkedHashMap<>(Outcome.payloadOf(store.recordAnnotations(info,
                    AttachedVolumes.without(annotations, args.volumeId()))));
            payload.put("device", recorded.get().device());
        } else {
            payload = new LinkedHashMap<>(Outcome.payloadOf(store.track(info)));
        }
        payload.put("volume_id", args.volumeId());
        return new Outcome(payload);
    }
}

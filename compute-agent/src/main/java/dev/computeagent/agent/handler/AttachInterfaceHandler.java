package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.AttachInterfaceArgs;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.device.DeviceDriver;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code attach_interface}: plugs a NIC in (live and persistent on a running instance). A NIC without a
 * MAC gets one derived from the instance and the request ({@link MacAddresses#forHotPlug}), so a
 * redelivered request plugs the same NIC once; the MAC is in the {@code .end} payload, and is what
 * {@code detach_interface} takes. An unknown network is {@code INVALID_COMMAND}.
 */
public final class AttachInterfaceHandler implements CommandHandler<AttachInterfaceArgs> {

    private final ComputeDriver driver;
    private final DeviceDriver devices;
    private final InstanceStore store;

    public AttachInterfaceHandler(ComputeDriver driver, DeviceDriver devices, InstanceStore store) {
        this.driver = driver;
        this.devices = devices;
        this.store = store;
    }

    @Override
    public CommandName command() {
        return CommandName.ATTACH_INTERFACE;
    }

    @Override
    public Outcome handle(Command<AttachInterfaceArgs> command) {
        return handle(command, Optional.empty());
    }

    @Override
    public Outcome handle(Command<AttachInterfaceArgs> command, Optional<InstanceInfo> admitted) {
        InstanceInfo info = admitted.orElseGet(() -> driver.info(command.instanceUuid()));
        NicSpec asked = command.args().nic().toSpec();
        String mac = asked.mac().orElseGet(() -> MacAddresses.forHotPlug(command.instanceUuid(), command.requestId()));
        devices.attachInterface(command.instanceUuid(),
                new NicSpec(asked.type(), asked.source(), Optional.of(mac), asked.model()));
        Map<String, Object> payload = new LinkedHashMap<>(Outcome.payloadOf(store.track(info)));
        payload.put("mac", mac);
        return new Outcome(payload);
    }
}

package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.DetachInterfaceArgs;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.device.DeviceDriver;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code detach_interface}: unplugs the NIC with {@code mac}, waiting up to {@code timeout_s} for a running
 * guest to release it ({@code TIMEOUT} otherwise, the NIC staying). A MAC the instance does not have succeeds.
 */
public final class DetachInterfaceHandler implements CommandHandler<DetachInterfaceArgs> {

    private final ComputeDriver driver;
    private final DeviceDriver devices;
    private final InstanceStore store;

    public DetachInterfaceHandler(ComputeDriver driver, DeviceDriver devices, InstanceStore store) {
        this.driver = driver;
        this.devices = devices;
        this.store = store;
    }

    @Override
    public CommandName command() {
        return CommandName.DETACH_INTERFACE;
    }

    @Override
    public Outcome handle(Command<DetachInterfaceArgs> command) {
        return handle(command, Optional.empty());
    }

    @Override
    public Outcome handle(Command<DetachInterfaceArgs> command, Optional<InstanceInfo> admitted) {
        InstanceInfo info = admitted.orElseGet(() -> driver.info(command.instanceUuid()));
        devices.detachInterface(command.instanceUuid(), command.args().mac(), command.args().timeout());
        Map<String, Object> payload = new LinkedHashMap<>(Outcome.payloadOf(store.track(info)));
        payload.put("mac", command.args().mac());
        return new Outcome(payload);
    }
}

package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.PowerState;
import java.util.Optional;

/** {@code pause}: freezes the running guest in memory ({@link PowerOperations#pause}); state {@code PAUSED}. */
public final class PauseHandler extends PowerOperationHandler {

    public PauseHandler(PowerOperations power, InstanceStore store) {
        super(CommandName.PAUSE, power, store);
    }

    @Override
    void operate(InstanceInfo instance) {
        power.pause(instance.uuid());
    }

    @Override
    Optional<PowerState> powerStateAfter() {
        return Optional.of(PowerState.PAUSED);
    }
}

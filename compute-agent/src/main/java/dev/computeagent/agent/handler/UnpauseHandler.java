package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.PowerState;
import java.util.Optional;

/** {@code unpause}: lets the paused guest run again ({@link PowerOperations#unpause}); state {@code ACTIVE}. */
public final class UnpauseHandler extends PowerOperationHandler {

    public UnpauseHandler(PowerOperations power, InstanceStore store) {
        super(CommandName.UNPAUSE, power, store);
    }

    @Override
    void operate(InstanceInfo instance) {
        power.unpause(instance.uuid());
    }

    @Override
    Optional<PowerState> powerStateAfter() {
        return Optional.of(PowerState.RUNNING);
    }
}

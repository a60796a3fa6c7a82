package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerOperations;

/**
 * {@code resume}: restores the suspended guest from its saved memory ({@link PowerOperations#resume}); state
 * {@code ACTIVE}. An agent killed meanwhile finds it running: {@code ACTIVE} (a suspended instance whose
 * guest runs is active).
 */
public final class ResumeHandler extends PowerOperationHandler {

    public ResumeHandler(PowerOperations power, InstanceStore store) {
        super(CommandName.RESUME, power, store);
    }

    @Override
    void operate(InstanceInfo instance) {
        power.resume(instance.uuid());
    }
}

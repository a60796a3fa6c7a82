package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code suspend}: saves the guest's memory to disk and stops it ({@link PowerOperations#suspend}); state
 * {@code SUSPENDED}. {@code SUSPENDED} is recorded before the save, so an agent killed during it finds the
 * truth in the power state: still running is {@code ACTIVE}, off is {@code SUSPENDED}
 * ({@code state.InstanceStateMachine#current}). When the save fails the state is put back to what the
 * instance is.
 */
public final class SuspendHandler extends PowerOperationHandler {

    private static final Logger log = LoggerFactory.getLogger(SuspendHandler.class);

    public SuspendHandler(PowerOperations power, InstanceStore store) {
        super(CommandName.SUSPEND, power, store);
    }

    @Override
    void operate(InstanceInfo instance) {
        store.record(instance, InstanceState.SUSPENDED, null);
        try {
            power.suspend(instance.uuid());
        } catch (RuntimeException e) {
            putBack(instance);
            throw e;
        }
    }

    @Override
    InstanceState stateAfter(InstanceInfo instance) {
        return power.hasSavedState(instance.uuid()) ? InstanceState.SUSPENDED
                : Annotations.fromPower(instance.powerState());
    }

    private void putBack(InstanceInfo before) {
        try {
            store.find(before.uuid()).ifPresent(now -> store.record(now, stateAfter(now), null));
        } catch (RuntimeException e) {
            log.warn("state of {} not put back after a failed suspend; the power-state sync will", before.uuid(), e);
        }
    }
}

package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.PowerState;
import java.util.Optional;
import java.util.UUID;

/**
 * What {@code pause}, {@code unpause}, {@code suspend} and {@code resume} share: the instance must be this
 * host's ({@code INSTANCE_NOT_FOUND} otherwise, before the hypervisor is touched, since
 * {@link PowerOperations} sees every instance of the hypervisor), the power operation runs (a no-op when
 * the instance is there already, so a redelivery is harmless), and the state recorded is what the
 * instance is afterwards. A failure records nothing: the state machine reads the instance's power state,
 * so an operation the hypervisor half did is seen as it is ({@code state.InstanceStateMachine#current}).
 */
abstract class PowerOperationHandler implements CommandHandler<NoArgs> {

    protected final PowerOperations power;
    protected final InstanceStore store;
    private final CommandName command;

    PowerOperationHandler(CommandName command, PowerOperations power, InstanceStore store) {
        this.command = command;
        this.power = power;
        this.store = store;
    }

    @Override
    public final CommandName command() {
        return command;
    }

    @Override
    public final Outcome handle(Command<NoArgs> command) {
        UUID uuid = command.instanceUuid();
        InstanceInfo before = owned(uuid);
        operate(before);
        InstanceInfo after = powerStateAfter().map(before::withPowerState).orElseGet(() -> owned(uuid));
        return Outcome.of(store.record(after, stateAfter(after), null));
    }

    /**
     * The power state the operation leaves the instance in when the hypervisor's call guarantees it once it
     * returned (a synchronous suspend or resume of the vCPUs): then the instance is not read again. Empty = read it.
     */
    Optional<PowerState> powerStateAfter() {
        return Optional.empty();
    }

    /** Runs the power operation on the instance, as read just before. */
    abstract void operate(InstanceInfo instance);

    /** The state of the instance once the operation succeeded: by default, what its power state says. */
    InstanceState stateAfter(InstanceInfo instance) {
        return Annotations.fromPower(instance.powerState());
    }

    private InstanceInfo owned(UUID uuid) {
        return store.find(uuid).orElseThrow(() -> new InstanceNotFoundException("no instance " + uuid));
    }
}

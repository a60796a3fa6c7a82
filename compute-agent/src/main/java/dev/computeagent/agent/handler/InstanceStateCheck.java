package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceStateMachine;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.InstanceInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What every controller command's handler is asked first (the executor calls it right before the
 * handler): is the command allowed in the instance's current state ({@link InstanceStateMachine})? A
 * refusal is {@code INVALID_STATE}, not retriable (the caller's fault), thrown before anything changed.
 * An instance that does not exist, an internal command and a command allowed in every state pass
 * unread.
 */
public final class InstanceStateCheck {

    private final InstanceStore store;

    /** @throws IllegalStateException a controller command has no row in the state machine */
    public InstanceStateCheck(InstanceStore store) {
        List<String> missing = Arrays.stream(CommandName.values())
                .filter(c -> !c.internal() && !InstanceStateMachine.governs(c)).map(CommandName::wireName).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("no row in the instance state machine for commands " + missing);
        }
        this.store = store;
    }

    /**
     * Returns when {@code command} may run now, with the instance as it was read for the check (empty: not
     * read, or no such instance), for the handler to use instead of reading it again.
     *
     * @throws CommandFailedException {@code INVALID_STATE}: the instance exists in a state the command is
     *                                not allowed in
     */
    public Optional<InstanceInfo> admit(Command<?> command) {
        CommandName name = command.name();
        if (name.internal() || InstanceStateMachine.allowsEvery(name)) {
            return Optional.empty();
        }
        Optional<InstanceInfo> found = store.find(command.instanceUuid());
        if (found.isEmpty()) {
            return found;
        }
        InstanceState current = Annotations.current(found.get().metadata(), found.get().powerState());
        if (!InstanceStateMachine.allows(name, current)) {
            throw new CommandFailedException(ErrorCode.INVALID_STATE, name.wireName() + " is not allowed for instance "
                    + command.instanceUuid() + " in state " + current + " (only in "
                    + InstanceStateMachine.allowedStates(name) + ")", false);
        }
        return found;
    }
}

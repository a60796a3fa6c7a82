package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.virt.InstanceInfo;
import java.util.Optional;

/**
 * Executes one command, named by {@link #command()}, the one key it is registered under
 * ({@link HandlerRegistry}). Called on the instance's lane, so never concurrently for one instance.
 * Returns the outcome of success; any failure is thrown ({@link dev.computeagent.agent.failure.CommandFailedException}
 * for a decision of its own, or what its collaborators threw) and mapped to an error code by
 * {@link dev.computeagent.agent.failure.ErrorMapper}. A handler must leave nothing half-built behind when it
 * fails, and must be safe to run again for the same request after a crash.
 *
 * @param <A> the arguments' record type, {@code command().argsType()}
 */
public interface CommandHandler<A extends CommandArgs> {

    /** The command this handler executes. */
    CommandName command();

    Outcome handle(Command<A> command);

    /**
     * {@link #handle(Command)} for a command the executor's {@link InstanceStateCheck} admitted, given the
     * instance as that check read it just before on this lane (empty: the check did not read it, or there is
     * no such instance). A handler that starts by reading the instance overrides this to use that read
     * instead of a second one; the default ignores it.
     */
    default Outcome handle(Command<A> command, Optional<InstanceInfo> admitted) {
        return handle(command);
    }
}

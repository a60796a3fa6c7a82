package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandName;

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
}

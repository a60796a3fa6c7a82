package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;

/**
 * Executes one kind of command. Called on the instance's lane, so never concurrently for one
 * instance. Returns the outcome of success; any failure is thrown and mapped to a §3 error code by
 * {@link dev.computeagent.agent.execution.ErrorMapper}. A handler must leave nothing half-built
 * behind when it fails, and must be safe to run again for the same request after a crash.
 *
 * @param <C> the command type it handles
 */
public interface CommandHandler<C extends Command> {

    CommandName command();

    Class<C> type();

    Outcome handle(C command);
}

package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.execution.CommandFailedException;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;

/** Stands in for the migration handler until it exists: every {@code migrate} fails cleanly. */
public final class UnsupportedMigrateHandler implements CommandHandler<Command.Migrate>, PlaceholderHandler {

    @Override
    public CommandName command() {
        return CommandName.MIGRATE;
    }

    @Override
    public Class<Command.Migrate> type() {
        return Command.Migrate.class;
    }

    @Override
    public Outcome handle(Command.Migrate command) {
        throw new CommandFailedException(ErrorCode.MIGRATION_FAILED, "migration is not supported by this agent yet",
                false);
    }
}

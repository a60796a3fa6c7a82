package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandName;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** Runs one internal {@code migration.*} command through {@link IncomingMigrations}. */
public final class InternalMigrationHandler implements CommandHandler<Command.Internal> {

    private final CommandName command;
    private final Function<Command.Internal, Outcome> step;

    private InternalMigrationHandler(CommandName command, Function<Command.Internal, Outcome> step) {
        this.command = command;
        this.step = Objects.requireNonNull(step);
    }

    /** The four destination handlers. */
    public static List<InternalMigrationHandler> all(IncomingMigrations incoming) {
        return List.of(of(CommandName.MIGRATION_CHECK, incoming), of(CommandName.MIGRATION_PREPARE, incoming),
                of(CommandName.MIGRATION_ADOPT, incoming), of(CommandName.MIGRATION_ABORT, incoming));
    }

    /** The handler of one internal command. */
    public static InternalMigrationHandler of(CommandName command, IncomingMigrations incoming) {
        Function<Command.Internal, Outcome> step = switch (command) {
            case MIGRATION_CHECK -> incoming::check;
            case MIGRATION_PREPARE -> incoming::prepare;
            case MIGRATION_ADOPT -> incoming::adopt;
            case MIGRATION_ABORT -> incoming::abort;
            default -> throw new IllegalArgumentException("not a migration step: " + command);
        };
        return new InternalMigrationHandler(command, step);
    }

    @Override
    public CommandName command() {
        return command;
    }

    @Override
    public Class<Command.Internal> type() {
        return Command.Internal.class;
    }

    @Override
    public Outcome handle(Command.Internal internal) {
        return step.apply(internal);
    }
}

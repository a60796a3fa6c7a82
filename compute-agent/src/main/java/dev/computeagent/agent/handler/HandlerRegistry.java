package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandName;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The handlers by command, checked when built: every command has exactly one. */
public final class HandlerRegistry {

    private final Map<CommandName, CommandHandler<?>> handlers = new EnumMap<>(CommandName.class);

    /** @throws IllegalStateException a command has no handler, or one has two */
    public HandlerRegistry(List<CommandHandler<?>> all) {
        for (CommandHandler<?> h : all) {
            CommandHandler<?> previous = handlers.putIfAbsent(h.command(), h);
            if (previous != null) {
                throw new IllegalStateException("two handlers for " + h.command().wireName() + ": "
                        + previous.getClass().getName() + " and " + h.getClass().getName());
            }
        }
        List<String> missing = Arrays.stream(CommandName.values()).filter(c -> !handlers.containsKey(c))
                .map(CommandName::wireName).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("no handler for commands " + missing);
        }
    }

    /** The handler of {@code command}. */
    @SuppressWarnings("unchecked")
    public <A extends CommandArgs> CommandHandler<A> of(Command<A> command) {
        // a command's arguments are of its name's type (Command checks it), and so are its handler's
        return (CommandHandler<A>) handlers.get(command.name());
    }
}

package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The handlers by command, checked when built: every command a controller may send
 * (non-internal) must have one, and no command may have two real ones.
 */
public final class HandlerRegistry {

    private final Map<CommandName, CommandHandler<?>> handlers = new EnumMap<>(CommandName.class);

    /** @throws IllegalStateException a controller command has no handler, or one has two */
    public HandlerRegistry(List<CommandHandler<?>> all) {
        for (CommandHandler<?> h : all) {
            CommandHandler<?> previous = handlers.get(h.command());
            if (previous == null || previous instanceof PlaceholderHandler) {
                handlers.put(h.command(), h);
            } else if (!(h instanceof PlaceholderHandler)) {
                throw new IllegalStateException("two handlers for " + h.command().wireName() + ": "
                        + previous.getClass().getName() + " and " + h.getClass().getName());
            }
        }
        List<String> missing = java.util.Arrays.stream(CommandName.values())
                .filter(c -> !c.internal() && !handlers.containsKey(c)).map(CommandName::wireName).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("no handler for commands " + missing);
        }
    }

    /** The handler of {@code command}; empty for an internal command nobody handles. */
    @SuppressWarnings("unchecked")
    public <C extends Command> Optional<CommandHandler<C>> find(C command) {
        CommandHandler<?> h = handlers.get(command.name());
        if (h == null || !h.type().isInstance(command)) {
            return Optional.empty();
        }
        return Optional.of((CommandHandler<C>) h);
    }
}

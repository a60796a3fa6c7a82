package dev.computeagent.agent.command;

import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandName;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A command that passed validation at the edge: its envelope fields and its typed arguments, every
 * value within the limits of the AsyncAPI contract. Handlers trust these values. One record for every
 * command: what differs is {@code name} and the arguments' record type, which {@code name} decides.
 *
 * @param sender the agent that signed an internal {@code migration.*} command ({@code InternalCommandGate});
 *               null for a controller's command, and until an internal one is authenticated (the
 *               destination's handlers refuse one without a sender)
 * @param senderReplyTo the authenticated sender's private reply address (the AMQP {@code reply_to} of a command
 *               whose signature was verified), where a notice the sender asked for in this command reaches it later
 *               ({@code migration.prepare}'s {@code arrival_notice}); null when there is none
 * @param <A>    the arguments' record type
 */
public record Command<A extends CommandArgs>(String requestId, UUID instanceUuid, CommandName name, A args,
                                             @Nullable String sender, @Nullable String senderReplyTo) {

    /** @throws IllegalArgumentException {@code args} are not of {@code name}'s type */
    public Command {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(instanceUuid, "instanceUuid");
        Objects.requireNonNull(args, "args");
        if (!name.argsType().isInstance(args)) {
            throw new IllegalArgumentException(name.wireName() + " takes " + name.argsType().getSimpleName() + ", not "
                    + args.getClass().getSimpleName());
        }
    }

    /** A command not (yet) authenticated as sent by an agent. */
    public static <A extends CommandArgs> Command<A> of(String requestId, UUID instanceUuid, CommandName name, A args) {
        return new Command<>(requestId, instanceUuid, name, args, null, null);
    }

    /** This command as authenticated: signed by {@code sender}, which gave no reply address. */
    public Command<A> sentBy(String sender) {
        return sentBy(sender, null);
    }

    /** This command as authenticated: signed by {@code sender}, whose reply address is {@code replyTo}. */
    public Command<A> sentBy(String sender, @Nullable String replyTo) {
        return new Command<>(requestId, instanceUuid, name, args, Objects.requireNonNull(sender, "sender"), replyTo);
    }
}

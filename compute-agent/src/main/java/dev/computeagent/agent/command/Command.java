package dev.computeagent.agent.command;

import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InternalArgs;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.virt.RebootType;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A command that passed validation at the edge: every field is typed and within the limits of
 * DESIGN.md §3. Handlers trust these values.
 */
public sealed interface Command {

    String requestId();

    UUID instanceUuid();

    CommandName name();

    /** {@code spawn}. */
    record Spawn(String requestId, UUID instanceUuid, SpawnRequest request) implements Command {
        public Spawn {
            Objects.requireNonNull(request, "request");
        }

        @Override
        public CommandName name() {
            return CommandName.SPAWN;
        }
    }

    /** {@code start}. */
    record Start(String requestId, UUID instanceUuid) implements Command {
        @Override
        public CommandName name() {
            return CommandName.START;
        }
    }

    /** {@code stop}; {@code timeout} zero = force at once. */
    record Stop(String requestId, UUID instanceUuid, Duration timeout) implements Command {
        @Override
        public CommandName name() {
            return CommandName.STOP;
        }
    }

    /** {@code reboot}; soft falls back to hard after {@code softTimeout}. */
    record Reboot(String requestId, UUID instanceUuid, RebootType type, Duration softTimeout) implements Command {
        @Override
        public CommandName name() {
            return CommandName.REBOOT;
        }
    }

    /** {@code delete}. */
    record Delete(String requestId, UUID instanceUuid) implements Command {
        @Override
        public CommandName name() {
            return CommandName.DELETE;
        }
    }

    /** {@code migrate}; {@code args.destination} is a valid host name different from this agent's. */
    record Migrate(String requestId, UUID instanceUuid, MigrateArgs args) implements Command {
        @Override
        public CommandName name() {
            return CommandName.MIGRATE;
        }
    }

    /**
     * An internal {@code migration.*} command with its validated, typed arguments.
     *
     * @param sender the agent that signed it ({@code InternalCommandGate}); null until authenticated, and
     *               the destination's handlers refuse a command without one
     */
    record Internal(String requestId, UUID instanceUuid, CommandName name, InternalArgs args,
                    @Nullable String sender) implements Command {
        public Internal {
            if (!name.internal()) {
                throw new IllegalArgumentException("not an internal command: " + name);
            }
            Objects.requireNonNull(args, "args");
        }

        /** This command as authenticated: signed by {@code sender}. */
        public Internal sentBy(String sender) {
            return new Internal(requestId, instanceUuid, name, args, Objects.requireNonNull(sender, "sender"));
        }
    }
}

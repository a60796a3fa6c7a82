package dev.computeagent.agent.testing;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.message.RebootArgs;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.message.StopArgs;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.RebootType;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** Validated commands, as the validator would hand them to a handler, for handler tests. */
public final class TestCommands {

    private TestCommands() {
    }

    public static Command<SpawnArgs> spawn(String requestId, UUID uuid, SpawnArgs args) {
        return Command.of(requestId, uuid, CommandName.SPAWN, args);
    }

    /** {@code spawn.args} from typed values: NICs as the driver takes them, user data as bytes. */
    public static SpawnArgs spawnArgs(String name, Flavor flavor, String imageId, List<NicSpec> nics,
                                      Map<String, String> metadata, Optional<byte[]> userData,
                                      Map<String, String> publicKeys) {
        return new SpawnArgs(name, flavor, imageId, nics.stream().map(NicArgs::of).toList(), metadata,
                userData.map(Base64.getEncoder()::encodeToString).orElse(null), publicKeys);
    }

    public static SpawnArgs spawnArgs(String name, Flavor flavor, String imageId, List<NicSpec> nics,
                                      Map<String, String> metadata, Optional<byte[]> userData) {
        return spawnArgs(name, flavor, imageId, nics, metadata, userData, Map.of());
    }

    public static Command<NoArgs> start(String requestId, UUID uuid) {
        return Command.of(requestId, uuid, CommandName.START, NoArgs.INSTANCE);
    }

    public static Command<NoArgs> delete(String requestId, UUID uuid) {
        return Command.of(requestId, uuid, CommandName.DELETE, NoArgs.INSTANCE);
    }

    public static Command<StopArgs> stop(String requestId, UUID uuid, Duration timeout) {
        return Command.of(requestId, uuid, CommandName.STOP, new StopArgs(Math.toIntExact(timeout.toSeconds())));
    }

    public static Command<RebootArgs> reboot(String requestId, UUID uuid, RebootType type, Duration softTimeout) {
        return Command.of(requestId, uuid, CommandName.REBOOT, new RebootArgs(type == RebootType.HARD,
                Math.toIntExact(softTimeout.toSeconds())));
    }

    public static Command<NoArgs> migrateAbort(String requestId, UUID uuid) {
        return Command.of(requestId, uuid, CommandName.MIGRATE_ABORT, NoArgs.INSTANCE);
    }

    public static Command<MigrateArgs> migrate(String requestId, UUID uuid, MigrateArgs args) {
        return Command.of(requestId, uuid, CommandName.MIGRATE, args);
    }

    /** A handler of {@code name} that answers with {@code answer}. */
    public static <A extends CommandArgs> CommandHandler<A> handler(CommandName name,
                                                                   Function<Command<A>, Outcome> answer) {
        return new CommandHandler<>() {
            @Override
            public CommandName command() {
                return name;
            }

            @Override
            public Outcome handle(Command<A> command) {
                return answer.apply(command);
            }
        };
    }
}

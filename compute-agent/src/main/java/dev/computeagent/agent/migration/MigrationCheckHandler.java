package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.migration.SharedStorageProbe;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code migration.check}, on the destination: refuses an instance it already has ({@code INSTANCE_EXISTS})
 * or cannot fit ({@link HostCapacity}, disks aside: whether they are copied is decided after this
 * answer); tells whether it sees the source's storage probe (shared storage), its migration URI and,
 * to the source only, its state directory. Holds nothing.
 */
public final class MigrationCheckHandler implements CommandHandler<MigrationCheckArgs> {

    private final InstanceStore store;
    private final InstanceFiles files;
    private final HostCapacity capacity;
    private final String migrationUri;
    private final Path stateDir;

    public MigrationCheckHandler(InstanceStore store, InstanceFiles files, HostCapacity capacity, String migrationUri,
                                 Path stateDir) {
        this.store = store;
        this.files = files;
        this.capacity = capacity;
        this.migrationUri = migrationUri;
        this.stateDir = stateDir.toAbsolutePath();
    }

    @Override
    public CommandName command() {
        return CommandName.MIGRATION_CHECK;
    }

    @Override
    public Outcome handle(Command<MigrationCheckArgs> command) {
        UUID uuid = command.instanceUuid();
        MigrationCheckArgs args = command.args();
        IncomingMigrations.authenticatedSource(command);
        if (store.find(uuid).isPresent()) {
            throw new CommandFailedException(ErrorCode.INSTANCE_EXISTS, "instance " + uuid + " already exists here",
                    false);
        }
        // a resize on its way must fit with its new flavor, as a spawn of it would
        capacity.check(uuid, HostCapacity.Need.withoutDisks(args.flavorThere()));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("shared_storage", seesProbe(uuid, args.sharedStorageProbe()));
        payload.put("migration_uri", migrationUri);
        // the source needs it to rewrite disk paths; the events exchange must not show the host's layout
        payload.put(EventMessage.REPLY_ONLY, Map.of("state_dir", stateDir.toString()));
        return new Outcome(payload);
    }

    private boolean seesProbe(UUID uuid, @Nullable String probe) {
        if (probe == null || !probe.startsWith(SharedStorageProbe.PREFIX)) {
            return false;
        }
        String token = probe.substring(SharedStorageProbe.PREFIX.length());
        try {
            return SharedStorageProbe.sees(files.dir(uuid), token);
        } catch (IllegalArgumentException e) {
            throw IncomingMigrations.invalid("args.shared_storage_probe is not a probe file name");
        }
    }
}

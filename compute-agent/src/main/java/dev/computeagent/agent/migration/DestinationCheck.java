package dev.computeagent.agent.migration;

import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.migration.SharedStorageProbe;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The destination's answer to "can you take this instance, and do we share its directory?": what
 * {@code migration.check} answers, and a {@code migration.prepare} that carries a {@code shared_storage_probe}
 * (the check done within the prepare, one round trip fewer). Holds nothing.
 *
 * <p>Failure semantics: {@link #requireFits} refuses an instance this host already has ({@code INSTANCE_EXISTS})
 * or cannot fit ({@link HostCapacity}, disks aside); a probe that is no probe file name is {@code INVALID_COMMAND}.
 */
public final class DestinationCheck {

    private final InstanceStore store;
    private final InstanceFiles files;
    private final HostCapacity capacity;
    private final String migrationUri;
    private final Path stateDir;

    public DestinationCheck(InstanceStore store, InstanceFiles files, HostCapacity capacity, String migrationUri,
                            Path stateDir) {
        this.store = store;
        this.files = files;
        this.capacity = capacity;
        this.migrationUri = migrationUri;
        this.stateDir = stateDir.toAbsolutePath();
    }

    /** Refuses an instance this host has, or one of {@code flavorThere} that does not fit (disks aside). */
    void requireFits(UUID uuid, Flavor flavorThere) {
        requireAbsent(uuid);
        capacity.check(uuid, HostCapacity.Need.withoutDisks(flavorThere));
    }

    /** Refuses an instance this host already has. */
    void requireAbsent(UUID uuid) {
        if (store.find(uuid).isPresent()) {
            throw new CommandFailedException(ErrorCode.INSTANCE_EXISTS, "instance " + uuid + " already exists here",
                    false);
        }
    }

    /** Whether the source's probe file is visible in this host's directory of the instance (shared storage). */
    boolean seesProbe(UUID uuid, @Nullable String probe) {
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

    /** The check's payload: {@code shared_storage}, {@code migration_uri}, and the state directory reply-only. */
    Map<String, Object> answer(boolean sharedStorage) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("shared_storage", sharedStorage);
        payload.put("migration_uri", migrationUri);
        // the source needs it to rewrite disk paths; the events exchange must not show the host's layout
        payload.put(EventMessage.REPLY_ONLY, Map.of("state_dir", stateDir.toString()));
        return payload;
    }

    String migrationUri() {
        return migrationUri;
    }
}

package dev.computeagent.agent.migration;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InternalArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.hostio.AtomicFiles;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.migration.DestinationVolume;
import dev.computeagent.virt.migration.MigrationDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * The destination's record of the migrations coming to this host, shared by its four handlers
 * ({@link MigrationCheckHandler}, {@link MigrationPrepareHandler}, {@link MigrationAdoptHandler},
 * {@link MigrationAbortHandler}; run on the instance's lane like any command).
 *
 * <p>Who may ask what: every internal command must carry the agent that signed it
 * ({@link Command#sender()}, set by the {@code InternalCommandGate}) and name it as {@code source_host}
 * ({@link #authenticatedSource}). Check and prepare are any authenticated agent's; prepare records its
 * sender as the migration's source (here, and durably in the marker of the directory it created), and
 * adopt and abort are accepted only from that source ({@code MIGRATION_FAILED} otherwise).
 *
 * <p>A prepared migration holds its capacity ({@link HostCapacity}) and is in flight
 * ({@link MigrationsInFlight}) until it is {@linkplain #settled settled} by adopt or abort. The hypervisor
 * secrets of its volumes' credentials ({@link #prepareVolumes}) are the instance's once it arrived, and removed
 * by {@link #undoPrepare} when it does not (abort, failed prepare, expiry): found by the instance in the
 * hypervisor, not in this record, so an abort after an agent restart still finds them.
 */
public final class IncomingMigrations {

    private static final Logger log = LoggerFactory.getLogger(IncomingMigrations.class);

    private final InstanceFiles files;
    private final MigrationsInFlight inFlight;
    private final HostCapacity capacity;
    private final MigrationDriver volumes;
    /** The source of each migration prepared here and not yet adopted or aborted. */
    private final Map<UUID, String> preparedBy = new ConcurrentHashMap<>();
    /** When each of them finished preparing ({@link System#nanoTime()}), for {@link #overdue}. */
    private final Map<UUID, Long> readySince = new ConcurrentHashMap<>();
    /** Those of them the hypervisor moves here running (live), which {@link ArrivalClaims} may claim on arrival. */
    private final Map<UUID, LiveArrival> liveArrivals = new ConcurrentHashMap<>();
    /** Live arrivals claimed when the hypervisor resumed them here, as claimed, until their adopt or expiry. */
    private final Map<UUID, InstanceInfo> claimedOnArrival = new ConcurrentHashMap<>();

    /** @param volumes the driver that defines and removes the volume secrets of incoming instances */
    public IncomingMigrations(InstanceFiles files, MigrationsInFlight inFlight, HostCapacity capacity,
                              MigrationDriver volumes) {
        this.files = files;
        this.inFlight = inFlight;
        this.capacity = capacity;
        this.volumes = volumes;
    }

    /**
     * Defines here the secrets of the credentials of the volumes the instance arrives with (none when no volume
     * has credentials); the driver leaves none of them behind when this throws.
     */
    void prepareVolumes(UUID uuid, List<DestinationVolume> incomingVolumes) {
        if (!incomingVolumes.isEmpty()) {
            volumes.prepareIncomingVolumes(uuid, incomingVolumes);
        }
    }

    /**
     * What prepare leaves in the directory it created, so that a restarted agent still knows whose it is:
     * the source, and whether the instance ran there before its cold copy (to boot it on arrival).
     */
    record PreparedMarker(@JsonProperty("source_host") String source, @JsonProperty("start") boolean start) {
    }

    /** A live migration prepared here, with where its source asked to be told of the claim on arrival (or null). */
    private record LiveArrival(@Nullable ArrivalNotice notice) {
    }

    /**
     * A migration from {@code source} is prepared here from now on: in flight, its source known.
     *
     * @param arrivesRunning the hypervisor moves the instance here running (a live migration)
     * @param notice         where the source asked to be told of the claim on arrival (live only), or null
     */
    void prepared(UUID uuid, String source, boolean arrivesRunning, @Nullable ArrivalNotice notice) {
        inFlight.begin(uuid);
        preparedBy.put(uuid, source);
        if (arrivesRunning) {
            liveArrivals.put(uuid, new LiveArrival(notice));
        }
    }

    /** Where the source of the live migration of {@code uuid} asked to be told of its claim on arrival. */
    Optional<ArrivalNotice> arrivalNotice(UUID uuid) {
        return Optional.ofNullable(liveArrivals.get(uuid)).map(LiveArrival::notice);
    }

    /** The source of the live migration of {@code uuid} prepared here, while it is not claimed yet. */
    Optional<String> awaitedLiveArrival(UUID uuid) {
        if (!liveArrivals.containsKey(uuid) || claimedOnArrival.containsKey(uuid)) {
            return Optional.empty();
        }
        return Optional.ofNullable(preparedBy.get(uuid));
    }

    /** The live arrival of {@code uuid} was claimed as {@code info} before its adopt. */
    void claimedOnArrival(UUID uuid, InstanceInfo info) {
        claimedOnArrival.put(uuid, info);
    }

    /** The instance as claimed on its arrival, if it was (until the migration is settled). */
    Optional<InstanceInfo> claimedOnArrival(UUID uuid) {
        return Optional.ofNullable(claimedOnArrival.get(uuid));
    }

    /** Prepare finished: the source should start the transfer now; the expiry bound runs from here. */
    void ready(UUID uuid) {
        if (preparedBy.containsKey(uuid)) {
            readySince.put(uuid, System.nanoTime());
        }
    }

    /** The migrations prepared here longer than {@code bound} ago and neither adopted nor aborted since. */
    List<UUID> overdue(Duration bound) {
        long now = System.nanoTime();
        return readySince.entrySet().stream().filter(e -> now - e.getValue() > bound.toNanos())
                .map(Map.Entry::getKey).toList();
    }

    /**
     * Removes what prepare created (directory, volume secrets) and releases what it held, unless the instance
     * {@code arrived} (the hypervisor has it here: never removed by anything but its owner).
     */
    void undoPrepare(UUID uuid, boolean arrived) {
        try {
            if (!arrived) {
                try {
                    if (files.preparedForArrival(uuid)) {
                        files.delete(uuid);
                    }
                } finally {
                    releaseVolumes(uuid);
                }
            }
        } finally {
            settled(uuid);
        }
    }

    /** Removes the volume secrets of {@code uuid} here unless the hypervisor has the instance (then they are its). */
    void releaseVolumes(UUID uuid) {
        volumes.releaseIncomingVolumes(uuid);
    }

    /** Who prepared the migration of {@code uuid} here: recorded at prepare, or in the prepared directory. */
    Optional<String> preparer(UUID uuid) {
        String known = preparedBy.get(uuid);
        return known != null ? Optional.of(known) : marker(uuid).map(PreparedMarker::source);
    }

    /** The instance is this host's now, or will not come: it no longer holds a reservation. */
    void settled(UUID uuid) {
        preparedBy.remove(uuid);
        readySince.remove(uuid);
        liveArrivals.remove(uuid);
        claimedOnArrival.remove(uuid);
        inFlight.end(uuid);
        capacity.release(uuid);
    }

    /** Writes the marker of the directory prepare created, durably. */
    void mark(UUID uuid, PreparedMarker marker) {
        try {
            AtomicFiles.write(markerFile(uuid), AgentJson.mapper().writeValueAsBytes(marker));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark " + files.dir(uuid) + " as prepared", e);
        }
    }

    /** The directory is the adopted instance's now. */
    void unmark(UUID uuid) {
        try {
            Files.deleteIfExists(markerFile(uuid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the migration marker of " + uuid, e);
        }
    }

    /** The marker, if there is a readable one (an unreadable one names no source: it authorises nothing). */
    Optional<PreparedMarker> marker(UUID uuid) {
        Path marker = markerFile(uuid);
        if (!Files.isRegularFile(marker)) {
            return Optional.empty();
        }
        try {
            PreparedMarker read = AgentJson.mapper().readValue(Files.readAllBytes(marker), PreparedMarker.class);
            return read.source() == null ? Optional.empty() : Optional.of(read);
        } catch (IOException | JacksonException e) {
            log.warn("unreadable migration marker {}: {}", marker, e.toString());
            return Optional.empty();
        }
    }

    /** Refuses a command about {@code uuid} from {@code source} when another agent prepared its migration here. */
    void requireNotPreparedByOther(UUID uuid, String source, String suffix) {
        preparer(uuid).filter(other -> !other.equals(source)).ifPresent(other -> {
            throw refused("the migration of " + uuid + " here was prepared by " + other + ", not by " + source
                    + suffix);
        });
    }

    private Path markerFile(UUID uuid) {
        return files.dir(uuid).resolve(InstanceFiles.MIGRATION_PREPARED);
    }

    /**
     * The authenticated sender of {@code command}, which must be the {@code source_host} it names.
     *
     * @throws CommandFailedException {@code INVALID_COMMAND}: not authenticated, or naming another host
     */
    static String authenticatedSource(Command<? extends InternalArgs> command) {
        String sender = command.sender();
        if (sender == null) {
            throw invalid(command.name().wireName() + " was not authenticated as sent by an agent");
        }
        if (!sender.equals(command.args().sourceHost())) {
            throw invalid("args.source_host " + command.args().sourceHost() + " is not the sender " + sender);
        }
        return sender;
    }

    static CommandFailedException refused(String message) {
        return new CommandFailedException(ErrorCode.MIGRATION_FAILED, message, false);
    }

    static CommandFailedException invalid(String message) {
        return new CommandFailedException(ErrorCode.INVALID_COMMAND, message, false);
    }
}

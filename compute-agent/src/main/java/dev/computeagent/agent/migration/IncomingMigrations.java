package dev.computeagent.agent.migration;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.agent.amqp.AgentJson;
import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.execution.CommandFailedException;
import dev.computeagent.agent.handler.ImageProperties;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.CapacityReservations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.Gib;
import dev.computeagent.virt.HostResources;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.migration.MigrationDriver;
import dev.computeagent.virt.migration.SharedStorageProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * The destination's side of a migration: answers {@code migration.check}, {@code migration.prepare},
 * {@code migration.adopt} and {@code migration.abort} (run on the instance's lane like any command).
 *
 * <p>Who may ask what: every command must carry the agent that signed it
 * ({@link Command.Internal#sender()}, set by the {@code InternalCommandGate}) and name it as
 * {@code source_host}. Check and prepare are any authenticated agent's; prepare records its sender as the
 * migration's source (in memory, and in the prepared directory's marker), and adopt and abort are
 * accepted only from that source: a migration prepared by another agent is refused
 * ({@code MIGRATION_FAILED}); an adopt nobody prepared here (the destination restarted meanwhile) is
 * accepted only for an instance the hypervisor moved here whose owner is the sender.
 *
 * <ul>
 *   <li>check: refuses an instance it already has ({@code INSTANCE_EXISTS}) or cannot fit next to its
 *       instances and those arriving ({@code INSUFFICIENT_RESOURCES}); tells whether it sees the
 *       source's storage probe (shared storage), its migration URI and its state directory.</li>
 *   <li>prepare: reserves the instance's memory (and, copied, its disks) until adopt or abort, caches
 *       the base image (its failure codes pass through, e.g. {@code IMAGE_NOT_FOUND}) and, when the
 *       storage is not shared, creates the instance directory with an empty overlay over the same base
 *       (and an empty ephemeral disk when the flavor has one, and the source's config drive, which a
 *       block migration does not copy), marked as prepared so that abort knows it is its own to
 *       remove.</li>
 *   <li>adopt: the hypervisor moved the instance here; claims it ({@link OwnedInstancesDriver#claim}) and
 *       records it as this host's ({@code ACTIVE}; a stopped instance moved with its disks arrives paused
 *       and is powered off, then started when {@code start}). Until then the instance is another host's
 *       and invisible to this agent's views. A cold migration over shared storage sends the instance as
 *       typed data ({@link MigratedInstance}): the destination renders and defines the domain itself,
 *       with its own paths (root overlay, ephemeral disk, config drive and console log of its own
 *       instance directory), exactly as a spawn here would; nothing the source sent is defined as a
 *       document.</li>
 *   <li>abort: removes what prepare created; never an instance the hypervisor has here.</li>
 * </ul>
 */
public final class IncomingMigrations {

    private static final Logger log = LoggerFactory.getLogger(IncomingMigrations.class);
    static final String PREPARED_MARKER = ".migration-prepared";

    private final ComputeDriver driver;
    private final @org.jspecify.annotations.Nullable MigrationDriver migrationDriver;
    private final ImageCache images;
    private final InstanceStore store;
    private final InstanceRegistry registry;
    private final InstanceFiles files;
    private final ConfigDriveBuilder configDrives;
    private final MigrationsInFlight inFlight;
    private final CapacityReservations reservations;
    private final String migrationUri;
    private final Path stateDir;
    private final String host;
    /** The source of each migration prepared here and not yet adopted or aborted. */
    private final Map<UUID, String> preparedBy = new ConcurrentHashMap<>();

    /**
     * @param migrationDriver defines cold-migrated instances; null = this host cannot take cold migrations
     * @param host            this agent's {@code agent.host}, the owner of what it defines
     */
    public IncomingMigrations(ComputeDriver driver, @org.jspecify.annotations.Nullable MigrationDriver migrationDriver,
                              ImageCache images,
                              InstanceStore store, InstanceRegistry registry, InstanceFiles files,
                              ConfigDriveBuilder configDrives, MigrationsInFlight inFlight,
                              CapacityReservations reservations, String migrationUri, Path stateDir, String host) {
        this.driver = driver;
        this.migrationDriver = migrationDriver;
        this.images = images;
        this.store = store;
        this.registry = registry;
        this.files = files;
        this.configDrives = configDrives;
        this.inFlight = inFlight;
        this.reservations = reservations;
        this.migrationUri = migrationUri;
        this.stateDir = stateDir.toAbsolutePath();
        this.host = host;
    }

    public Outcome check(Command.Internal command) {
        UUID uuid = command.instanceUuid();
        MigrationCheckArgs args = (MigrationCheckArgs) command.args();
        authenticatedSource(command);
        if (store.find(uuid).isPresent()) {
            throw new CommandFailedException(ErrorCode.INSTANCE_EXISTS, "instance " + uuid + " already exists here",
                    false);
        }
        long memoryMb = args.flavor().memoryMb();
        long vcpus = args.flavor().vcpus();
        HostResources resources = driver.hostResources();
        reservations.check(uuid, others -> requireMemory(uuid, memoryMb, resources.memoryMb(), others));
        if (vcpus > resources.vcpus()) {
            throw new CommandFailedException(ErrorCode.INSUFFICIENT_RESOURCES, "instance needs " + vcpus
                    + " vCPUs, this host has " + resources.vcpus(), false);
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("shared_storage", seesProbe(uuid, args.sharedStorageProbe()));
        payload.put("migration_uri", migrationUri);
        // the source needs it to rewrite disk paths; the events exchange must not show the host's layout
        payload.put(EventMessage.REPLY_ONLY, Map.of("state_dir", stateDir.toString()));
        return new Outcome(payload);
    }

    public Outcome prepare(Command.Internal command) {
        UUID uuid = command.instanceUuid();
        MigrationPrepareArgs args = (MigrationPrepareArgs) command.args();
        String source = authenticatedSource(command);
        String imageId = args.imageId();
        boolean block = args.blockMigration();
        if (store.find(uuid).isPresent()) {
            throw new CommandFailedException(ErrorCode.INSTANCE_EXISTS, "instance " + uuid + " already exists here",
                    false);
        }
        preparer(uuid).filter(other -> !other.equals(source)).ifPresent(other -> {
            throw refused("the migration of " + uuid + " here was prepared by " + other + ", not by " + source);
        });
        Flavor flavor = args.flavor();
        long memoryMb = flavor.memoryMb();
        long hostMb = driver.hostResources().memoryMb();
        long rootBytes = args.diskVirtualSize() != null && args.diskVirtualSize() > 0 ? args.diskVirtualSize()
                : Gib.toBytes(flavor.rootGb());
        long diskBytes = block ? Math.addExact(rootBytes, Gib.toBytes(flavor.ephemeralGb())) : 0;
        // held until adopt or abort: spawns and other arrivals meanwhile count it
        reservations.reserve(uuid, new CapacityReservations.Claim(memoryMb, diskBytes),
                others -> requireMemory(uuid, memoryMb, hostMb, others));
        inFlight.begin(uuid);
        preparedBy.put(uuid, source);
        boolean created = false;
        try {
            long imageBytes = images.fetch(imageId).virtualSize();
            if (block && rootBytes == 0) {
                // the overlay takes the image's virtual size: hold that, not nothing
                reservations.reserve(uuid, new CapacityReservations.Claim(memoryMb,
                        Math.addExact(imageBytes, Gib.toBytes(flavor.ephemeralGb()))), others -> { });
            }
            if (block) {
                created = files.create(uuid);
                mark(uuid, new PreparedMarker(source, Boolean.TRUE.equals(args.start())));
                images.createOverlay(imageId, files.disk(uuid), rootBytes);
                if (flavor.ephemeralGb() > 0) {
                    images.createBlankDisk(files.ephemeralDisk(uuid), Gib.toBytes(flavor.ephemeralGb()));
                }
                if (args.configDrive() != null) {
                    configDrives.install(files.configDrive(uuid), Base64.getDecoder().decode(args.configDrive()));
                }
            }
        } catch (RuntimeException e) {
            settled(uuid);
            if (created) {
                files.delete(uuid);
            }
            throw e;
        }
        return new Outcome(Map.of("migration_uri", migrationUri));
    }

    public Outcome adopt(Command.Internal command) {
        UUID uuid = command.instanceUuid();
        MigrationAdoptArgs args = (MigrationAdoptArgs) command.args();
        String source = authenticatedSource(command);
        Optional<String> preparer = preparer(uuid);
        if (preparer.isPresent() && !preparer.get().equals(source)) {
            throw refused("the migration of " + uuid + " here was prepared by " + preparer.get() + ", not by "
                    + source);
        }
        if (args.instance() != null) {
            if (preparer.isEmpty()) {
                throw refused("no migration of " + uuid + " from " + source + " was prepared here");
            }
            return adoptCold(command, args, source);
        }
        Path marker = files.dir(uuid).resolve(PREPARED_MARKER);
        // an adopt without start (a re-sent migrate) follows what the source said at prepare
        boolean startOnArrival = args.start() != null ? args.start() : readMarker(marker).map(PreparedMarker::start)
                .orElse(false);
        boolean coldCopy = args.start() != null || startOnArrival;
        Optional<InstanceInfo> info;
        if (driver instanceof OwnedInstancesDriver owned) {
            try {
                // a live arrival is recorded with the claim: one metadata write on the critical path
                info = Optional.of(owned.claim(uuid, source,
                        i -> stoppedArrival(i, coldCopy) ? i.metadata().annotations()
                                : Annotations.with(i.metadata().annotations(), Annotations.fromPower(i.powerState()),
                                        null)));
            } catch (InstanceNotFoundException e) {
                info = Optional.empty();
            }
        } else {
            info = store.find(uuid);
        }
        if (info.isEmpty()) {
            throw new CommandFailedException(ErrorCode.INSTANCE_NOT_FOUND, "instance " + uuid
                    + " has not arrived on this host", false);
        }
        try {
            Files.deleteIfExists(marker);
            if (files.exists(uuid)) {
                files.markSpawnComplete(uuid);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            InstanceView view;
            if (stoppedArrival(info.get(), coldCopy)) {
                PowerState power = settleStoppedArrival(uuid, startOnArrival);
                view = store.record(uuid, Annotations.fromPower(power), null);
            } else if (driver instanceof OwnedInstancesDriver) {
                view = store.track(info.get());
            } else {
                view = store.record(info.get(), Annotations.fromPower(info.get().powerState()), null);
            }
            log.info("adopted instance {} migrated from {}", uuid, source);
            return Outcome.of(view);
        } finally {
            settled(uuid);
        }
    }

    /** A live arrival runs; a stopped one (paused, never run) is a cold copy, or is found paused. */
    private static boolean stoppedArrival(InstanceInfo info, boolean coldCopy) {
        return coldCopy || info.powerState() == PowerState.PAUSED;
    }

    /**
     * A stopped instance moved with its disks arrives paused (or stopped), its guest never having run
     * ({@link dev.computeagent.virt.migration.MigrationDriver#migrateStopped}): power it off, and boot it
     * when it was running on the source. A failed boot leaves it this host's, stopped, with the error.
     */
    private PowerState settleStoppedArrival(UUID uuid, boolean start) {
        driver.stop(uuid, Duration.ZERO);
        if (!start) {
            return PowerState.SHUTDOWN;
        }
        try {
            driver.start(uuid);
        } catch (RuntimeException e) {
            store.record(uuid, InstanceState.STOPPED, "arrived by cold migration, but did not start: "
                    + e.getMessage());
            throw e;
        }
        return PowerState.RUNNING;
    }

    /**
     * Cold over shared storage: render and define the instance from the typed {@code instance}, with this
     * host's paths, claim it, start it when it was running; undone on failure.
     */
    private Outcome adoptCold(Command.Internal command, MigrationAdoptArgs args, String source) {
        UUID uuid = command.instanceUuid();
        if (migrationDriver == null) {
            throw refused("this host cannot define migrated instances");
        }
        boolean start = Boolean.TRUE.equals(args.start());
        boolean defined = false;
        try {
            if (!(driver instanceof OwnedInstancesDriver o ? exists(o.delegate(), uuid) : exists(driver, uuid))) {
                migrationDriver.defineInstance(spec(uuid, args.instance()));
                defined = true;
            }
            if (driver instanceof OwnedInstancesDriver owned) {
                owned.claim(uuid, source);
            }
            if (start) {
                driver.start(uuid);
            }
        } catch (RuntimeException e) {
            if (defined) {
                try {
                    (driver instanceof OwnedInstancesDriver o ? o.delegate() : driver).destroy(uuid);
                } catch (RuntimeException cleanup) {
                    log.error("cold adopt of {} failed and its definition could not be removed", uuid, cleanup);
                }
            }
            settled(uuid);
            throw e;
        }
        if (files.exists(uuid)) {
            files.markSpawnComplete(uuid);
        }
        InstanceView view = store.record(uuid, start ? InstanceState.ACTIVE : InstanceState.STOPPED, null);
        settled(uuid);
        log.info("adopted instance {} cold-migrated from {}", uuid, source);
        return Outcome.of(view);
    }

    /**
     * The instance as a spawn here would define it: the typed data the source sent, this host as the
     * owner, the image's guest-agent property, and this host's own files (root overlay, the ephemeral
     * disk when the flavor has one, the config drive when the shared directory holds one, the console
     * log).
     */
    private InstanceSpec spec(UUID uuid, MigratedInstance instance) {
        Flavor flavor = instance.flavor();
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Annotations.STATE, InstanceState.STOPPED.name());
        if (instance.createdAt() != null) {
            annotations.put(Annotations.CREATED_AT, instance.createdAt());
        }
        if (instance.spawnRequest() != null) {
            annotations.put(Annotations.SPAWN_REQUEST, instance.spawnRequest());
        }
        if (instance.specSha256() != null) {
            annotations.put(Annotations.SPEC_SHA256, instance.specSha256());
        }
        InstanceMetadata metadata = new InstanceMetadata(instance.name(), flavor, instance.imageId(), host,
                instance.metadata() == null ? Map.of() : instance.metadata(), annotations);
        List<DiskSpec> disks = new ArrayList<>(List.of(DiskSpec.qcow2Root(files.disk(uuid))));
        if (flavor.ephemeralGb() > 0) {
            disks.add(DiskSpec.qcow2Ephemeral(files.ephemeralDisk(uuid)));
        }
        if (Files.isRegularFile(files.configDrive(uuid))) {
            disks.add(DiskSpec.configDrive(files.configDrive(uuid)));
        }
        List<NicSpec> nics = instance.nics() == null ? List.of() : instance.nics().stream()
                .map(NicArgs::toSpec).toList();
        // the image's own properties, as cached here by prepare, decide the guest agent channel
        boolean guestAgent = ImageProperties.guestAgent(images.fetch(instance.imageId()).properties());
        return new InstanceSpec(uuid, metadata, disks, nics, files.consoleLog(uuid), false, guestAgent);
    }

    /** The instance is this host's now, or will not come: it no longer holds a reservation. */
    private void settled(UUID uuid) {
        preparedBy.remove(uuid);
        inFlight.end(uuid);
        reservations.release(uuid);
    }

    private void requireMemory(UUID uuid, long memoryMb, long hostMb, CapacityReservations.Others others) {
        long usedMb = others.memoryMbWith(registry.all(), uuid);
        if (usedMb + memoryMb > hostMb) {
            throw new CommandFailedException(ErrorCode.INSUFFICIENT_RESOURCES, "not enough memory: " + memoryMb
                    + " MiB asked, " + Math.max(0, hostMb - usedMb) + " MiB free of " + hostMb
                    + " (instances here and arriving)", true);
        }
    }

    private static boolean exists(ComputeDriver d, UUID uuid) {
        try {
            d.info(uuid);
            return true;
        } catch (InstanceNotFoundException e) {
            return false;
        }
    }

    public Outcome abort(Command.Internal command) {
        UUID uuid = command.instanceUuid();
        String source = authenticatedSource(command);
        Optional<String> preparer = preparer(uuid);
        if (preparer.isEmpty()) {
            return new Outcome(Map.of()); // nothing prepared here (or already settled): nothing to undo
        }
        if (!preparer.get().equals(source)) {
            throw refused("the migration of " + uuid + " here was prepared by " + preparer.get() + ", not by "
                    + source + "; not aborted");
        }
        try {
            if (store.find(uuid).isPresent()) {
                // the hypervisor has it here: not prepare's leftovers, never removed by an abort
                log.warn("abort of the migration of {}: the instance exists here, left alone", uuid);
                return new Outcome(Map.of());
            }
            if (Files.exists(files.dir(uuid).resolve(PREPARED_MARKER))) {
                files.delete(uuid);
            }
            return new Outcome(Map.of());
        } finally {
            settled(uuid);
        }
    }

    /**
     * The authenticated sender of {@code command}, which must be the {@code source_host} it names.
     *
     * @throws CommandFailedException {@code INVALID_COMMAND}: not authenticated, or naming another host
     */
    private static String authenticatedSource(Command.Internal command) {
        String sender = command.sender();
        if (sender == null) {
            throw invalid(command.name().wireName() + " was not authenticated as sent by an agent");
        }
        if (!sender.equals(command.args().sourceHost())) {
            throw invalid("args.source_host " + command.args().sourceHost() + " is not the sender " + sender);
        }
        return sender;
    }

    /** Who prepared the migration of {@code uuid} here: recorded at prepare, or in the prepared directory. */
    private Optional<String> preparer(UUID uuid) {
        String known = preparedBy.get(uuid);
        return known != null ? Optional.of(known)
                : readMarker(files.dir(uuid).resolve(PREPARED_MARKER)).map(PreparedMarker::source);
    }

    private boolean seesProbe(UUID uuid, @org.jspecify.annotations.Nullable String probe) {
        if (probe == null || !probe.startsWith(SharedStorageProbe.PREFIX)) {
            return false;
        }
        String token = probe.substring(SharedStorageProbe.PREFIX.length());
        try {
            return SharedStorageProbe.sees(files.dir(uuid), token);
        } catch (IllegalArgumentException e) {
            throw invalid("args.shared_storage_probe is not a probe file name");
        }
    }

    /**
     * What prepare leaves in the directory it created, so that a restarted agent still knows whose it is:
     * the source, and whether the instance ran there before its cold copy (to boot it on arrival).
     */
    record PreparedMarker(@JsonProperty("source_host") String source, @JsonProperty("start") boolean start) {
    }

    private void mark(UUID uuid, PreparedMarker marker) {
        try {
            Files.write(files.dir(uuid).resolve(PREPARED_MARKER), AgentJson.mapper().writeValueAsBytes(marker));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark " + files.dir(uuid) + " as prepared", e);
        }
    }

    /** The marker, if there is a readable one (an unreadable one names no source: it authorises nothing). */
    private static Optional<PreparedMarker> readMarker(Path marker) {
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

    private static CommandFailedException refused(String message) {
        return new CommandFailedException(ErrorCode.MIGRATION_FAILED, message, false);
    }

    private static CommandFailedException invalid(String message) {
        return new CommandFailedException(ErrorCode.INVALID_COMMAND, message, false);
    }
}

package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.execution.CommandFailedException;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.CapacityReservations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.HostResources;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.migration.InstanceDefinition;
import dev.computeagent.virt.migration.MigrationDriver;
import dev.computeagent.virt.migration.SharedStorageProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The destination's side of a migration: answers {@code migration.check}, {@code migration.prepare},
 * {@code migration.adopt} and {@code migration.abort} (run on the instance's lane like any command).
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
 *       and invisible to this agent's views.</li>
 *   <li>abort: removes what prepare created; never an instance the hypervisor has here.</li>
 * </ul>
 */
public final class IncomingMigrations {

    private static final Logger log = LoggerFactory.getLogger(IncomingMigrations.class);
    static final String PREPARED_MARKER = ".migration-prepared";
    private static final String START_ON_ARRIVAL = "start";
    private static final long GIB = 1024L * 1024 * 1024;

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

    /** @param migrationDriver imports cold-migrated definitions; null = this host cannot take cold migrations */
    public IncomingMigrations(ComputeDriver driver, @org.jspecify.annotations.Nullable MigrationDriver migrationDriver,
                              ImageCache images,
                              InstanceStore store, InstanceRegistry registry, InstanceFiles files,
                              ConfigDriveBuilder configDrives, MigrationsInFlight inFlight,
                              CapacityReservations reservations, String migrationUri, Path stateDir) {
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
    }

    public Outcome check(Command.Internal command) {
        UUID uuid = command.instanceUuid();
        JsonNode args = command.args();
        if (store.find(uuid).isPresent()) {
            throw new CommandFailedException(ErrorCode.INSTANCE_EXISTS, "instance " + uuid + " already exists here",
                    false);
        }
        JsonNode flavor = args.path("flavor");
        long memoryMb = positive(flavor, "memory_mb");
        long vcpus = positive(flavor, "vcpus");
        HostResources host = driver.hostResources();
        reservations.check(uuid, others -> requireMemory(uuid, memoryMb, host.memoryMb(), others));
        if (vcpus > host.vcpus()) {
            throw new CommandFailedException(ErrorCode.INSUFFICIENT_RESOURCES, "instance needs " + vcpus
                    + " vCPUs, this host has " + host.vcpus(), false);
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("shared_storage", seesProbe(uuid, args.path("shared_storage_probe")));
        payload.put("migration_uri", migrationUri);
        payload.put("state_dir", stateDir.toString());
        return new Outcome(payload);
    }

    public Outcome prepare(Command.Internal command) {
        UUID uuid = command.instanceUuid();
        JsonNode args = command.args();
        String imageId = text(args, "image_id");
        boolean block = args.path("block_migration").asBoolean(false);
        if (store.find(uuid).isPresent()) {
            throw new CommandFailedException(ErrorCode.INSTANCE_EXISTS, "instance " + uuid + " already exists here",
                    false);
        }
        long memoryMb = positive(args.path("flavor"), "memory_mb");
        long hostMb = driver.hostResources().memoryMb();
        long diskBytes = block ? (positive(args.path("flavor"), "root_gb") + args.path("flavor").path("ephemeral_gb")
                .asLong(0)) * GIB : 0;
        // held until adopt or abort: spawns and other arrivals meanwhile count it
        reservations.reserve(uuid, new CapacityReservations.Claim(memoryMb, diskBytes),
                others -> requireMemory(uuid, memoryMb, hostMb, others));
        inFlight.begin(uuid);
        boolean created = false;
        try {
            images.fetch(imageId);
            if (block) {
                created = files.create(uuid);
                mark(uuid, args.path("start").asBoolean(false));
                long size = args.path("disk_virtual_size").canConvertToLong() ? args.path("disk_virtual_size").asLong()
                        : positive(args.path("flavor"), "root_gb") * GIB;
                images.createOverlay(imageId, files.disk(uuid), size);
                long ephemeralGb = args.path("flavor").path("ephemeral_gb").asLong(0);
                if (ephemeralGb > 0) {
                    images.createBlankDisk(files.ephemeralDisk(uuid), ephemeralGb * GIB);
                }
                if (args.path("config_drive").isString()) {
                    configDrives.install(files.configDrive(uuid), configDrive(args.path("config_drive")));
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
        JsonNode definition = command.args().path("definition");
        if (definition.isObject()) {
            return adoptCold(command, definition);
        }
        JsonNode start = command.args().path("start");
        Path marker = files.dir(uuid).resolve(PREPARED_MARKER);
        // an adopt without start (a re-sent migrate) follows what the source said at prepare
        boolean startOnArrival = start.isBoolean() ? start.asBoolean() : startHint(marker);
        boolean coldCopy = start.isBoolean() || startOnArrival;
        Optional<InstanceInfo> info;
        if (driver instanceof OwnedInstancesDriver owned) {
            try {
                // a live arrival is recorded with the claim: one metadata write on the critical path
                info = Optional.of(owned.claim(uuid, text(command.args(), "source_host"),
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
            log.info("adopted instance {} migrated from {}", uuid, command.args().path("source_host").asString("?"));
            return Outcome.of(view);
        } finally {
            settled(uuid);
        }
    }

    /** A live arrival runs; a stopped one (paused, never run) is a cold copy, or is found paused. */
    private static boolean stoppedArrival(InstanceInfo info, boolean coldCopy) {
        return coldCopy || info.powerState() == PowerState.PAUSED;
    }

    /** Whether prepare was told the instance ran on the source before its cold copy. */
    private static boolean startHint(Path marker) {
        try {
            return Files.exists(marker) && START_ON_ARRIVAL.equals(Files.readString(marker));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + marker, e);
        }
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

    /** Cold: define from the source's definition, claim, start when it was running; undone on failure. */
    private Outcome adoptCold(Command.Internal command, JsonNode definition) {
        UUID uuid = command.instanceUuid();
        if (migrationDriver == null) {
            throw new CommandFailedException(ErrorCode.MIGRATION_FAILED, "this host cannot import definitions", false);
        }
        String source = text(command.args(), "source_host");
        boolean imported = false;
        try {
            if (!(driver instanceof OwnedInstancesDriver o ? exists(o.delegate(), uuid) : exists(driver, uuid))) {
                migrationDriver.importDefinition(new InstanceDefinition(uuid, text(definition, "format"),
                        text(definition, "document")));
                imported = true;
            }
            if (driver instanceof OwnedInstancesDriver owned) {
                owned.claim(uuid, source);
            }
            if (command.args().path("start").asBoolean(false)) {
                driver.start(uuid);
            }
        } catch (RuntimeException e) {
            if (imported) {
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
        InstanceView view = store.record(uuid, command.args().path("start").asBoolean(false) ? InstanceState.ACTIVE
                : InstanceState.STOPPED, null);
        settled(uuid);
        log.info("adopted instance {} cold-migrated from {}", uuid, source);
        return Outcome.of(view);
    }

    /** The instance is this host's now, or will not come: it no longer holds a reservation. */
    private void settled(UUID uuid) {
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

    private boolean seesProbe(UUID uuid, JsonNode probe) {
        if (!probe.isString() || !probe.asString().startsWith(SharedStorageProbe.PREFIX)) {
            return false;
        }
        String token = probe.asString().substring(SharedStorageProbe.PREFIX.length());
        try {
            return SharedStorageProbe.sees(files.dir(uuid), token);
        } catch (IllegalArgumentException e) {
            throw invalid("args.shared_storage_probe is not a probe file name");
        }
    }

    /** Marks the directory as prepare's; {@code start}: a cold copy of a running instance, to boot on arrival. */
    private void mark(UUID uuid, boolean start) {
        try {
            Files.writeString(files.dir(uuid).resolve(PREPARED_MARKER), start ? START_ON_ARRIVAL : "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark " + files.dir(uuid) + " as prepared", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (!v.isString() || v.asString().isEmpty()) {
            throw invalid("args." + field + " is required");
        }
        return v.asString();
    }

    private static byte[] configDrive(JsonNode base64) {
        try {
            return Base64.getDecoder().decode(base64.asString());
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(ErrorCode.INVALID_COMMAND, "config_drive is not base64", false);
        }
    }

    private static long positive(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (!v.canConvertToLong() || v.asLong() < 0) {
            throw invalid("args.flavor." + field + " must be a non-negative integer");
        }
        return v.asLong();
    }

    private static CommandFailedException invalid(String message) {
        return new CommandFailedException(ErrorCode.INVALID_COMMAND, message, false);
    }
}

package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.command.SpawnRequest;
import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.configdrive.ConfigDriveContent;
import dev.computeagent.agent.configdrive.ConfigDriveOptions;
import dev.computeagent.agent.execution.CommandFailedException;
import dev.computeagent.agent.execution.ErrorMapper;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.CapacityReservations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.Gib;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.PowerState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spawn}: root disk overlay from the image cache, then define and boot through the driver,
 * then wait until the guest runs.
 *
 * <p>Idempotent: an existing instance with the same spec fingerprint is finished (started when a
 * crash interrupted its spawn) and reported as success; with another spec the command fails with
 * {@code INSTANCE_EXISTS} and the existing instance is not touched. An existing instance in
 * {@code ERROR} is not a success either: the same spec again fails with {@code INSTANCE_EXISTS}
 * (message with its last error; the controller deletes it first). A crash-interrupted spawn that
 * cannot be finished is left {@code ERROR} with {@code last_error}. Any other failure removes
 * everything this spawn created (domain, overlay, instance directory) before it is reported; when the
 * domain cannot be removed (the hypervisor is unreachable), the files stay marked until it can be.
 *
 * <p>The root disk is {@code vda}; a flavor with {@code ephemeral_gb} gets an empty, unformatted qcow2
 * disk of that size as {@code vdb} ({@code disk.eph0}), as Nova's ephemeral disk without a file system.
 * NICs without a MAC get one from the agent ({@link MacAddresses}). A spawn that gives the guest
 * something to read (user data, SSH public keys or NICs to configure), or any spawn on a host with
 * {@link ConfigDriveOptions#force}, gets a config drive ({@code disk.config}, a read-only IDE CD-ROM
 * labelled {@code config-2}, as Nova writes it: see {@link dev.computeagent.agent.configdrive}); a spawn
 * with none of these has nothing for cloud-init to apply beyond the hostname and skips the
 * genisoimage run. An image whose properties say {@code hw_qemu_guest_agent=yes} gets the guest
 * agent's channel ({@link ImageProperties}).
 *
 * <p>Before any work a new instance must fit: memory, and root plus ephemeral disk, with the other
 * instances arriving counted (see {@link #reserveCapacity}), else {@code INSUFFICIENT_RESOURCES}; an
 * image above the root disk is refused before it is cached.
 * The instance is in the registry as {@code BUILDING} from the moment its domain exists.
 */
public final class SpawnHandler implements CommandHandler<Command.Spawn> {

    private static final Logger log = LoggerFactory.getLogger(SpawnHandler.class);
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);

    private final ComputeDriver driver;
    private final ImageCache images;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final ConfigDriveBuilder configDrives;
    private final ConfigDriveOptions configDriveOptions;
    private final String host;
    private final Clock clock;
    private final MeterRegistry meters;
    private final CapacityReservations reservations;

    public SpawnHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                        ConfigDriveBuilder configDrives, ConfigDriveOptions configDriveOptions,
                        CapacityReservations reservations, String host, Clock clock, MeterRegistry meters) {
        this.driver = driver;
        this.images = images;
        this.store = store;
        this.files = files;
        this.configDrives = configDrives;
        this.configDriveOptions = configDriveOptions;
        this.reservations = reservations;
        this.host = host;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public CommandName command() {
        return CommandName.SPAWN;
    }

    @Override
    public Class<Command.Spawn> type() {
        return Command.Spawn.class;
    }

    @Override
    public Outcome handle(Command.Spawn command) {
        UUID uuid = command.instanceUuid();
        SpawnRequest request = command.request();
        String fingerprint = SpecFingerprint.of(request);
        Optional<InstanceInfo> existing = store.find(uuid);
        if (existing.isPresent()) {
            return finishExisting(existing.get(), fingerprint);
        }
        reserveCapacity(uuid, request, Gib.toBytes(request.flavor().rootGb()));
        try {
            return spawnNew(command, fingerprint);
        } finally {
            reservations.release(uuid);
        }
    }

    private Outcome spawnNew(Command.Spawn command, String fingerprint) {
        UUID uuid = command.instanceUuid();
        SpawnRequest request = command.request();
        // no domain: an existing directory can only be a crashed attempt of this same spawn (recovery
        // keeps directories of completed spawns only when they have a domain), so it is ours to reuse
        files.create(uuid);
        try {
            long rootBytes = Gib.toBytes(request.flavor().rootGb());
            // the size limit applies before the image enters the cache (DESIGN.md §4); root_gb 0 takes the
            // image's virtual size, which the flavor's largest root disk bounds
            CachedImage image = phase("image", () -> images.fetch(request.imageId(),
                    rootBytes > 0 ? rootBytes : Gib.toBytes(Flavor.MAX_DISK_GB)));
            if (rootBytes == 0) {
                reserveCapacity(uuid, request, image.virtualSize());
            }
            phase("disk", () -> images.createOverlay(request.imageId(), files.disk(uuid), rootBytes));
            List<NicSpec> nics = MacAddresses.assign(uuid, request.nics());
            InstanceSpec spec = new InstanceSpec(uuid, metadata(command, fingerprint), disks(uuid, request, nics),
                    nics, files.consoleLog(uuid), false, ImageProperties.guestAgent(image.properties()));
            phase("define", () -> {
                driver.spawn(spec);
                // visible over REST as BUILDING from the moment the domain exists
                store.track(uuid);
                return null;
            });
            phase("boot", () -> {
                awaitRunning(uuid);
                return null;
            });
            Outcome outcome = Outcome.of(store.record(uuid, InstanceState.ACTIVE, null));
            files.markSpawnComplete(uuid);
            return outcome;
        } catch (InstanceExistsException e) {
            // someone else's domain with our name appeared: not ours to destroy, but our directory is
            removeFiles(uuid);
            throw new CommandFailedException(ErrorCode.INSTANCE_EXISTS, e.getMessage(), false, e);
        } catch (RuntimeException | Error e) {
            cleanUp(uuid);
            throw e;
        }
    }

    /**
     * The root overlay as {@code vda}, then the disks made here: the flavor's ephemeral disk as
     * {@code vdb}, the config drive as {@code hdd}.
     */
    private List<DiskSpec> disks(UUID uuid, SpawnRequest request, List<NicSpec> nics) {
        List<DiskSpec> disks = new ArrayList<>(List.of(DiskSpec.qcow2Root(files.disk(uuid))));
        long ephemeralGb = request.flavor().ephemeralGb();
        if (ephemeralGb > 0) {
            Path ephemeral = files.ephemeralDisk(uuid);
            phase("ephemeral-disk", () -> {
                images.createBlankDisk(ephemeral, Gib.toBytes(ephemeralGb));
                return null;
            });
            disks.add(DiskSpec.qcow2Ephemeral(ephemeral));
        }
        if (configDriveOptions.force() || request.userData().isPresent() || !request.publicKeys().isEmpty()
                || !nics.isEmpty()) {
            Path drive = files.configDrive(uuid);
            phase("config-drive", () -> {
                configDrives.build(drive, new ConfigDriveContent(uuid, request.name(), request.metadata(),
                        request.userData(), request.publicKeys(), nics, configDriveOptions.availabilityZone()));
                return null;
            });
            disks.add(DiskSpec.configDrive(drive));
        }
        return disks;
    }

    private Outcome finishExisting(InstanceInfo info, String fingerprint) {
        UUID uuid = info.uuid();
        String recorded = info.metadata().annotations().get(Annotations.SPEC_SHA256);
        if (!fingerprint.equals(recorded)) {
            throw new CommandFailedException(ErrorCode.INSTANCE_EXISTS,
                    "instance " + uuid + " exists with a different spec", false);
        }
        InstanceState state = Annotations.state(info.metadata(), info.powerState());
        if (state == InstanceState.BUILDING) {
            // a crash interrupted this spawn after the domain was defined: finish it
            try {
                if (info.powerState() != PowerState.RUNNING) {
                    driver.start(uuid);
                    awaitRunning(uuid);
                }
            } catch (RuntimeException e) {
                recordFailedRecovery(uuid, e);
                throw e;
            }
            Outcome outcome = Outcome.of(store.record(uuid, InstanceState.ACTIVE, null));
            files.markSpawnComplete(uuid);
            return outcome;
        }
        if (state == InstanceState.ERROR) {
            String lastError = info.metadata().annotations().get(Annotations.LAST_ERROR);
            store.record(uuid, InstanceState.ERROR, lastError);
            throw new CommandFailedException(ErrorCode.INSTANCE_EXISTS, "instance " + uuid
                    + " exists in state ERROR" + (lastError == null ? "" : " (" + lastError + ")")
                    + "; delete it before spawning it again", false);
        }
        return Outcome.of(store.record(uuid, state, info.metadata().annotations().get(Annotations.LAST_ERROR)));
    }

    /** Leaves an instance whose interrupted spawn could not be finished in ERROR, not BUILDING. */
    private void recordFailedRecovery(UUID uuid, RuntimeException failure) {
        String message = "spawn could not be finished after an interruption: " + ErrorMapper.toError(failure).message();
        try {
            store.record(uuid, InstanceState.ERROR, message);
        } catch (RuntimeException e) {
            log.error("instance {} could not be marked ERROR after its spawn failed to finish", uuid, e);
        }
    }

    /**
     * Refuses a flavor this host cannot hold before any work, and holds what it needs until the spawn
     * ends: its memory against the host's memory less that of the agent's instances and of the others
     * arriving (spawns, incoming migrations), its root ({@code rootBytes}) plus ephemeral disk against the
     * free space of the state directory less what the others arriving need. With {@code root_gb} 0 the
     * root disk is the image's virtual size: checked and held again once the image is known. vCPUs are
     * not checked: overcommitting them is normal.
     */
    private void reserveCapacity(UUID uuid, SpawnRequest request, long rootBytes) {
        long memoryMb = driver.hostResources().memoryMb();
        long free = files.usableSpace();
        long diskBytes = Math.addExact(rootBytes, Gib.toBytes(request.flavor().ephemeralGb()));
        CapacityReservations.Claim claim = new CapacityReservations.Claim(request.flavor().memoryMb(), diskBytes);
        reservations.reserve(uuid, claim, others -> {
            long usedMb = others.memoryMbWith(store.views(), uuid);
            if (claim.memoryMb() > memoryMb - usedMb) {
                throw new CommandFailedException(ErrorCode.INSUFFICIENT_RESOURCES, "flavor needs "
                        + claim.memoryMb() + " MiB of memory; the host has " + memoryMb + " MiB, "
                        + usedMb + " MiB of it held by this agent's instances and those arriving", false);
            }
            long available = free - others.diskBytes();
            if (claim.diskBytes() > available) {
                throw new CommandFailedException(ErrorCode.INSUFFICIENT_RESOURCES, "instance needs "
                        + Gib.of(diskBytes) + " GiB of disk (root " + Gib.of(rootBytes) + ", ephemeral "
                        + request.flavor().ephemeralGb() + "); the state directory has " + Gib.of(available)
                        + " GiB free for it", false);
            }
        });
    }

    private InstanceMetadata metadata(Command.Spawn command, String fingerprint) {
        SpawnRequest r = command.request();
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Annotations.STATE, InstanceState.BUILDING.name());
        annotations.put(Annotations.CREATED_AT, clock.instant().toString());
        annotations.put(Annotations.SPAWN_REQUEST, command.requestId());
        annotations.put(Annotations.SPEC_SHA256, fingerprint);
        return new InstanceMetadata(r.name(), r.flavor(), r.imageId(), host, r.metadata(), annotations);
    }

    private void awaitRunning(UUID uuid) {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (driver.info(uuid).powerState() != PowerState.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new CommandFailedException(ErrorCode.TIMEOUT,
                        "instance " + uuid + " did not reach RUNNING within " + BOOT_TIMEOUT.toSeconds() + " s", true);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    private <T> T phase(String phase, Supplier<T> work) {
        Timer.Sample sample = Timer.start(meters);
        try {
            return work.get();
        } finally {
            sample.stop(meters.timer("agent.spawn.phase", "phase", phase));
        }
    }

    /**
     * Removes the domain, then the files. When the hypervisor cannot say the domain is gone (it did not
     * answer, or failed), the domain may still exist, maybe running on the disks: they stay, marked,
     * and {@code FailedSpawnCleanup} finishes the job once the hypervisor answers again.
     */
    private void cleanUp(UUID uuid) {
        store.forget(uuid);
        try {
            driver.destroy(uuid);
        } catch (RuntimeException e) {
            log.error("spawn of {} failed and its domain could not be removed; its files stay until the hypervisor "
                    + "answers again", uuid, e);
            try {
                files.markSpawnFailed(uuid);
            } catch (RuntimeException markFailed) {
                log.error("instance directory of {} could not be marked; it stays as it is", uuid, markFailed);
            }
            return;
        }
        removeFiles(uuid);
    }

    private void removeFiles(UUID uuid) {
        try {
            files.delete(uuid);
        } catch (RuntimeException e) {
            log.error("spawn of {} failed and its directory could not be removed", uuid, e);
        }
    }
}

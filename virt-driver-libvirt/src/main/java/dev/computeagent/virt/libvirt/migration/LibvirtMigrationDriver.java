package dev.computeagent.virt.libvirt.migration;

import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.libvirt.ConnectionManager;
import dev.computeagent.virt.libvirt.DefinedInstance;
import dev.computeagent.virt.libvirt.LibvirtComputeDriver;
import dev.computeagent.virt.libvirt.binding.DomainHandle;
import dev.computeagent.virt.libvirt.binding.JobCompletions;
import dev.computeagent.virt.libvirt.binding.LibvirtConnection;
import dev.computeagent.virt.libvirt.binding.MigrationDomain;
import dev.computeagent.virt.libvirt.binding.MigrationFlags;
import dev.computeagent.virt.libvirt.binding.MigrationJobStats;
import dev.computeagent.virt.libvirt.designer.DeviceDesigner;
import dev.computeagent.virt.libvirt.domain.AgentMetadata;
import dev.computeagent.virt.libvirt.domain.Devices;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.DiskAuth;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.DomainNames;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import dev.computeagent.virt.libvirt.domain.DomainXmlException;
import dev.computeagent.virt.libvirt.domain.NetworkDisk;
import dev.computeagent.virt.libvirt.domain.SecretDefinition;
import dev.computeagent.virt.migration.DestinationVolume;
import dev.computeagent.virt.migration.CompletedMigration;
import dev.computeagent.virt.migration.IncomingState;
import dev.computeagent.virt.migration.PortableInstance;
import dev.computeagent.virt.migration.MigrationDriver;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import dev.computeagent.virt.migration.MigrationListener;
import dev.computeagent.virt.migration.MigrationRequest;
import dev.computeagent.virt.migration.MigrationResult;
import dev.computeagent.virt.migration.StorageMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MigrationDriver} on libvirt, over the connection of the host's {@link LibvirtComputeDriver}. Only the agent's own domains
 * ({@code instance-<uuid>} with the agent's metadata) are ever migrated, exported or replaced.
 *
 * <p>Live migration: {@code virDomainMigrateToURI3} with {@code LIVE | PEER2PEER | PERSIST_DEST |
 * UNDEFINE_SOURCE} (+ {@code NON_SHARED_INC} for {@link StorageMode#BLOCK_INCREMENTAL},
 * {@code AUTO_CONVERGE}, {@code UNSAFE}, {@code POSTCOPY} on request) runs on a driver thread while the
 * calling thread monitors it ({@link MigrationMonitor} has the escalation order). A block migration of an instance
 * with volumes both hosts reach ({@link MigrationRequest#keptDisks}) copies only its other writable disks
 * ({@link DisksToCopy}). A network volume with credentials moves only when the request says how the destination
 * opens it ({@link MigrationRequest#destinationVolumes}): the destination's definition then names the
 * destination's connection and secret ({@link DestinationVolumes}; the destination defined the secret before,
 * {@link #prepareIncomingVolumes}), and this host's secrets of the moved volumes are removed once the guest has
 * left; without it, it is refused before anything moves. On failure before
 * any switch to post-copy libvirt itself resumes the guest on the source; this driver then checks that the
 * guest really runs there and says so in the exception. After the switch a failure is
 * {@link Reason#POST_COPY_FAILED}: the guest runs on neither host.
 *
 * <p>Cold migration: with shared storage the source exports the instance as typed data
 * ({@link #exportInstance}: metadata and NICs, no paths, no XML) and the destination renders and
 * defines it itself ({@link #defineInstance}, the compute driver's own rendering); with the disks copied, {@link #migrateStopped} moves a paused, never-run
 * copy of the stopped guest the same way as a live one.
 */
public final class LibvirtMigrationDriver implements MigrationDriver, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LibvirtMigrationDriver.class);
    /** Job samples start after this (see {@link MigrationMonitor} for why); the timeout is checked from the start. */
    static final Duration FIRST_SAMPLE_AFTER = Duration.ofSeconds(1);
    /** libvirt queues the job-completed event before the migration call returns; its delivery may trail a little. */
    private static final Duration DOWNTIME_EVENT_WAIT = Duration.ofMillis(200);

    private final LibvirtComputeDriver compute;
    private final ConnectionManager connections;
    private final DeviceDesigner designer;
    /** The jobs of the migrations running now, for {@link #cancelMigration}. */
    private final Map<UUID, MigrationJob> running = new ConcurrentHashMap<>();
    private final ExecutorService transfers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "libvirt-migrate");
        thread.setDaemon(true);
        return thread;
    });

    /** Migrations of the instances of {@code compute}, over its connection. */
    public LibvirtMigrationDriver(LibvirtComputeDriver compute) {
        this.compute = compute;
        this.connections = compute.connectionManager();
        this.designer = new DeviceDesigner(compute.settings().designerOptions());
    }

    @Override
    public MigrationResult migrateLive(UUID uuid, MigrationRequest request, MigrationListener listener) {
        long start = System.nanoTime();
        String subject = "migration of " + uuid + " to " + request.destinationUri();
        try {
            return connections.call(connection -> {
                try (MigrationDomain domain = new MigrationDomain(requireOwned(connection, uuid))) {
                    return migrate(domain, uuid, subject, start, request, listener, true);
                }
            });
        } catch (MigrationException e) {
            throw confirmSource(uuid, e);
        } catch (InstanceNotFoundException e) {
            throw new MigrationException(Step.PREPARE, Reason.NOT_MIGRATABLE, "no instance " + uuid, e);
        }
    }

    /**
     * libvirt copies storage only for a running QEMU ({@code OFFLINE} migrations cannot carry disks), so
     * the stopped domain is started with its CPUs paused, migrated without {@code LIVE} and with
     * {@code PAUSED} (it stays paused on the destination), and on failure powered off here again.
     */
    @Override
    public MigrationResult migrateStopped(UUID uuid, MigrationRequest request, MigrationListener listener) {
        long start = System.nanoTime();
        String subject = "cold migration of " + uuid + " to " + request.destinationUri();
        try {
            return connections.call(connection -> {
                try (MigrationDomain domain = new MigrationDomain(requireOwned(connection, uuid))) {
                    if (domain.handle().isActive()) {
                        throw new MigrationException(Step.PREPARE, Reason.NOT_MIGRATABLE,
                                subject + ": the instance is running; stop it first", null);
                    }
                    try {
                        domain.handle().createPaused();
                    } catch (DriverException e) {
                        throw new MigrationException(Step.PREPARE, Reason.FAILED, false,
                                subject + ": cannot start the paused copy process: " + e.getMessage(), e);
                    }
                    return migrate(domain, uuid, subject, start, request, listener, false);
                }
            });
        } catch (MigrationException e) {
            throw powerOffLeftover(uuid, e);
        } catch (InstanceNotFoundException e) {
            throw new MigrationException(Step.PREPARE, Reason.NOT_MIGRATABLE, false, "no instance " + uuid, e);
        }
    }

    /** After a failed cold move the paused copy process (if libvirt kept it here) must not stay up. */
    private MigrationException powerOffLeftover(UUID uuid, MigrationException failure) {
        try {
            connections.call(connection -> {
                Optional<DomainHandle> found = connection.lookup(uuid);
                if (found.isPresent()) {
                    try (DomainHandle domain = found.get()) {
                        if (domain.isActive()) {
                            domain.destroy();
                        }
                    }
                }
                return null;
            });
        } catch (DriverException e) {
            log.warn("cannot power off the paused copy of {} after a failed cold migration", uuid, e);
            failure.addSuppressed(e);
        }
        if (!failure.sourceStillRunning()) {
            return failure;
        }
        return new MigrationException(failure.step(), failure.reason(), false, failure.getMessage(), failure);
    }

    private MigrationResult migrate(MigrationDomain domain, UUID uuid, String subject, long start, MigrationRequest request,
                                    MigrationListener listener, boolean live) {
        if (!domain.handle().isActive()) {
            throw new MigrationException(Step.PREPARE, Reason.NOT_MIGRATABLE, subject + ": the instance is not running",
                    null);
        }
        long memoryMb = Math.max(1, domain.handle().status().memoryKb() / 1024);
        DowntimeSchedule schedule = DowntimeSchedule.forMemory(request.maxDowntime(), memoryMb);
        Duration limit = schedule.limitAt(Duration.ZERO);
        domain.setMaxDowntime(limit);
        Duration timeout = request.effectiveCompletionTimeout(memoryMb);
        boolean copy = request.storage() == StorageMode.BLOCK_INCREMENTAL;
        Devices devices = devices(domain, subject);
        Set<String> repointed = request.destinationVolumes().stream().map(DestinationVolume::device)
                .collect(Collectors.toSet());
        List<String> disksToCopy = DisksToCopy.of(devices, copy ? request.keptDisks() : Set.of(), repointed, subject);
        DestinationVolumes volumes = destinationVolumes(uuid, request.destinationVolumes(), devices);
        // the guest's secrets here, of the volumes the destination opens with its own: removed once it has left
        Set<UUID> leavingSecrets = devices.networkDisks().stream().filter(d -> repointed.contains(d.targetDev()))
                .flatMap(d -> d.auth().map(DiskAuth::secret).stream()).collect(Collectors.toSet());
        // a stopped guest has nothing to run on the destination early: post-copy is for live moves only
        Duration postCopyAfter = live ? request.postCopyAfter() : null;
        MigrationFlags flags = new MigrationFlags(live, copy, request.autoConverge(), request.unsafe(),
                request.bandwidthMibPerSecond(), disksToCopy, postCopyAfter != null);
        log.info("{}: starting ({}, completion timeout {} s, downtime {} -> {} ms{}{}{})", subject, request.storage(),
                timeout.toSeconds(), limit.toMillis(), request.maxDowntime().toMillis(),
                request.autoConverge() ? ", auto-converge" : "",
                postCopyAfter != null ? ", post-copy after " + postCopyAfter.toSeconds() + " s without converging" : "",
                request.bandwidthMibPerSecond() > 0 ? ", " + request.bandwidthMibPerSecond() + " MiB/s" : "");
        DestinationPaths paths = new DestinationPaths(request.pathRewrites());
        String destinationXml = forDestination(domain.liveMigratableXml(), paths, volumes);
        String persistentXml = forDestination(domain.migratableXml(), paths, volumes);
        // registered before the job starts: its completion event carries the downtime, then the domain is gone
        try (JobCompletions completion = domain.watchJobCompletion()) {
            MigrationResult result = transfer(domain, uuid, subject, start, request, listener, flags, destinationXml,
                    persistentXml, new MonitorSettings(schedule, limit, timeout, postCopyAfter));
            removeLeftSecrets(subject, leavingSecrets);
            OptionalLong downtime = completion.downtimeMs(DOWNTIME_EVENT_WAIT);
            log.info("{}: done in {} ms, downtime {} ms", subject, result.wallTime().toMillis(),
                    downtime.isPresent() ? downtime.getAsLong() : "unknown");
            return downtime.isPresent() ? result.withDowntime(Duration.ofMillis(downtime.getAsLong())) : result;
        }
    }

    /** How the monitor escalates this job. */
    private record MonitorSettings(DowntimeSchedule schedule, Duration limit, Duration timeout,
                                   @Nullable Duration postCopyAfter) {
    }

    private MigrationResult transfer(MigrationDomain domain, UUID uuid, String subject, long start,
                                     MigrationRequest request, MigrationListener listener, MigrationFlags flags,
                                     @Nullable String destinationXml, @Nullable String persistentXml,
                                     MonitorSettings settings) {
        CompletableFuture<Void> transfer = CompletableFuture.runAsync(() -> domain.migrateToUri(
                request.destinationUri(), flags, destinationXml, persistentXml), transfers);
        MigrationJob job = new MigrationJob() {
            @Override
            public MigrationJobStats sample() {
                return domain.currentJob();
            }

            @Override
            public void setMaxDowntime(Duration downtime) {
                domain.setMaxDowntime(downtime);
            }

            @Override
            public void abort() {
                domain.abortJob();
            }

            @Override
            public void startPostCopy() {
                domain.startPostCopy();
            }

            @Override
            public boolean sourceRunning() {
                return domain.handle().isActive();
            }
        };
        MigrationResult result;
        running.put(uuid, job);
        try {
            result = new MigrationMonitor(subject, job, request.pollInterval(), FIRST_SAMPLE_AFTER, settings.timeout(),
                    settings.schedule(), request.stallTimeout(), settings.postCopyAfter(), listener)
                    .watch(transfer, start, settings.limit());
        } finally {
            running.remove(uuid, job);
            if (!transfer.isDone()) {
                log.warn("{}: the transfer call has not returned; it is left to end on its own", subject);
                domain.keepUntil(transfer);
            }
        }
        return result;
    }

    /** {@code xml} as the destination defines it; null when it is the same as here (libvirt then sends its own). */
    private static String forDestination(String xml, DestinationPaths paths, DestinationVolumes volumes) {
        if (paths.isEmpty() && volumes.isEmpty()) {
            return null;
        }
        String moved = paths.isEmpty() ? xml : paths.rewrite(xml);
        return volumes.isEmpty() ? moved : volumes.rewrite(moved);
    }

    /** Each listed volume's disk as the destination opens it, rendered as an attach renders it. */
    private DestinationVolumes destinationVolumes(UUID uuid, List<DestinationVolume> volumes, Devices devices) {
        Map<String, String> designed = new LinkedHashMap<>();
        for (DestinationVolume volume : volumes) {
            designed.put(volume.device(), designer.volume(uuid, attachment(volume, readOnly(devices, volume.device())),
                    volume.secret()).xml());
        }
        return new DestinationVolumes(designed);
    }

    private static boolean readOnly(Devices devices, String device) {
        return devices.disks().stream().filter(d -> d.targetDev().equals(device)).map(Disk::readOnly).findFirst()
                .or(() -> devices.networkDisks().stream().filter(d -> d.targetDev().equals(device))
                        .map(NetworkDisk::readOnly).findFirst())
                .orElse(false);
    }

    private static VolumeAttachment attachment(DestinationVolume volume, boolean readOnly) {
        return new VolumeAttachment(volume.volumeId(), volume.device(), volume.connection(), readOnly);
    }

    /**
     * The guest left with its volumes opened through the destination's secrets: this host's would only linger. A
     * failure to remove one is logged, not thrown: the move itself succeeded.
     */
    private void removeLeftSecrets(String subject, Set<UUID> secrets) {
        for (UUID secret : secrets) {
            try {
                connections.call(connection -> {
                    connection.undefineSecret(secret);
                    return null;
                });
            } catch (DriverException e) {
                log.warn("{}: the volume secret {} here could not be removed: {}", subject, secret, e.getMessage());
            }
        }
    }

    /**
     * Defines each secret under the identity the request names, with the value from the destination's
     * connection; a secret that fails undoes the ones defined before it.
     */
    @Override
    public void prepareIncomingVolumes(UUID uuid, List<DestinationVolume> volumes) {
        List<UUID> defined = new ArrayList<>();
        try {
            connections.call(connection -> {
                for (DestinationVolume volume : volumes) {
                    Optional<SecretDefinition> secret = designer.volume(uuid, attachment(volume, false),
                            volume.secret()).secret();
                    if (secret.isPresent()) {
                        connection.defineSecret(secret.get().render(), volume.connection().credentials().orElseThrow()
                                .secret().reveal().getBytes(StandardCharsets.UTF_8));
                        defined.add(secret.get().uuid());
                    }
                }
                return null;
            });
        } catch (DriverException e) {
            for (UUID secret : defined) {
                try {
                    connections.call(connection -> {
                        connection.undefineSecret(secret);
                        return null;
                    });
                } catch (DriverException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new MigrationException(Step.PREPARE, Reason.DESTINATION_REFUSED, false,
                    "cannot define the volume secrets of " + uuid + " here: " + e.getMessage(), e);
        }
        if (!defined.isEmpty()) {
            log.info("defined {} volume secret(s) for the incoming migration of {}", defined.size(), uuid);
        }
    }

    @Override
    public void releaseIncomingVolumes(UUID uuid) {
        List<UUID> removed = connections.call(connection -> {
            if (connection.lookup(uuid).map(domain -> {
                domain.close();
                return true;
            }).orElse(false)) {
                return List.<UUID>of();
            }
            List<UUID> secrets = connection.secretsWithUsagePrefix(DeviceDesigner.secretUsagePrefix(uuid));
            secrets.forEach(connection::undefineSecret);
            return secrets;
        });
        if (!removed.isEmpty()) {
            log.info("removed {} volume secret(s) of {}, which did not arrive", removed.size(), uuid);
        }
    }

    @Override
    public Set<UUID> instancesWithVolumeSecrets() {
        return connections.call(connection -> connection.secretUsages().values().stream()
                .flatMap(usage -> DeviceDesigner.instanceOfSecretUsage(usage).stream())
                .collect(Collectors.toUnmodifiableSet()));
    }

    private static Devices devices(MigrationDomain domain, String subject) {
        try {
            return DomainXml.parse(domain.liveMigratableXml()).devices();
        } catch (DomainXmlException e) {
            throw new MigrationException(Step.PREPARE, Reason.FAILED, subject + ": cannot read the definition: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Libvirt resumes the guest on the source when a migration fails; make sure before promising it.
     * When the source itself cannot be asked (its connection died), a transport error is no evidence
     * about the destination: the outcome is reported as unknown instead.
     */
    private MigrationException confirmSource(UUID uuid, MigrationException failure) {
        if (failure.reason() == Reason.POST_COPY_FAILED) {
            // libvirt keeps the source domain (paused, post-copy failed): it exists but must never be resumed
            return failure;
        }
        boolean running;
        try {
            running = connections.call(connection -> {
                Optional<DomainHandle> found = connection.lookup(uuid);
                if (found.isEmpty()) {
                    return false;
                }
                try (DomainHandle domain = found.get()) {
                    return domain.isActive();
                }
            });
        } catch (DriverException e) {
            log.warn("cannot confirm that {} still runs on the source after a failed migration", uuid, e);
            return new MigrationException(failure.step(), Reason.FAILED, false,
                    "lost the source hypervisor during the migration, outcome unknown: " + failure.getMessage(), failure);
        }
        if (running == failure.sourceStillRunning()) {
            return failure;
        }
        return new MigrationException(failure.step(), failure.reason(), running, failure.getMessage(), failure);
    }

    @Override
    public boolean cancelMigration(UUID uuid) {
        MigrationJob job = running.get(uuid);
        if (job == null) {
            return false;
        }
        try {
            job.abort();
            log.info("migration of {}: cancel requested; the job was asked to abort", uuid);
            return true;
        } catch (DriverException e) {
            // no job at this instant: not started yet, or already switching over and ending
            log.info("migration of {}: cancel not accepted: {}", uuid, e.getMessage());
            return false;
        }
    }

    /** From the domain's state reason (libvirt: running or paused "post-copy", "post-copy failed"). */
    @Override
    public IncomingState incomingState(UUID uuid) {
        return connections.call(connection -> {
            try (MigrationDomain domain = new MigrationDomain(requireOwned(connection, uuid))) {
                return domain.incomingState();
            }
        });
    }

    @Override
    public Optional<CompletedMigration> lastIncomingMigration(UUID uuid) {
        return connections.call(connection -> {
            try (MigrationDomain domain = new MigrationDomain(requireOwned(connection, uuid))) {
                MigrationJobStats stats = domain.completedJob();
                if (!stats.completed()) {
                    return Optional.empty();
                }
                return Optional.of(new CompletedMigration(Duration.ofMillis(stats.elapsedMs()),
                        Duration.ofMillis(Math.max(0, stats.downtimeMs())), stats.dataProcessed()));
            }
        });
    }

    @Override
    public PortableInstance exportInstance(UUID uuid) {
        return connections.call(connection -> {
            try (MigrationDomain domain = new MigrationDomain(requireOwned(connection, uuid))) {
                Domain parsed = DomainXml.parse(domain.migratableXml());
                InstanceMetadata metadata = parsed.agentMetadata().orElseThrow(
                        () -> new InstanceNotFoundException("no instance " + uuid + " (the domain is not the agent's)"));
                return new PortableInstance(uuid, metadata, DefinedInstance.nics(parsed));
            } catch (DomainXmlException e) {
                throw new MigrationException(Step.DEFINITION, Reason.FAILED,
                        "cannot read the definition of " + uuid + ": " + e.getMessage(), e);
            }
        });
    }

    /** Rendered by the compute driver as a spawn renders it: no document from elsewhere is ever defined. */
    @Override
    public void defineInstance(InstanceSpec spec) {
        try {
            compute.define(spec);
            log.info("defined the cold-migrated instance {}", spec.uuid());
        } catch (InstanceExistsException | InvalidSpecException e) {
            throw e;
        } catch (DriverException e) {
            throw new MigrationException(Step.DEFINITION, Reason.DESTINATION_REFUSED,
                    "cannot define " + spec.uuid() + ": " + e.getMessage(), e);
        }
    }

    /** Stops accepting migrations; running transfers are left to libvirt (they finish or fail there). */
    @Override
    public void close() {
        transfers.shutdown();
    }

    private static DomainHandle requireOwned(LibvirtConnection connection, UUID uuid) {
        DomainHandle handle = connection.lookup(uuid)
                .orElseThrow(() -> new InstanceNotFoundException("no instance " + uuid));
        boolean owned;
        try {
            owned = DomainNames.uuidOf(handle.name()).map(uuid::equals).orElse(false)
                    && AgentMetadata.fromDomainXml(handle.xml()).isPresent();
        } catch (DomainXmlException | DriverException e) {
            owned = false;
        }
        if (!owned) {
            handle.close();
            throw new InstanceNotFoundException("no instance " + uuid + " (the domain is not the agent's)");
        }
        return handle;
    }
}

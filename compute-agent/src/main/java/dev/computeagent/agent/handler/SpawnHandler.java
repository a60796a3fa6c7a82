package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.configdrive.ConfigDriveContent;
import dev.computeagent.agent.configdrive.ConfigDriveOptions;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.provision.InstanceProvisioner.ConfigDrive;
import dev.computeagent.agent.provision.Phases;
import dev.computeagent.agent.state.Annotations;
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
import dev.computeagent.virt.network.NetworkDriver;
import dev.computeagent.virt.network.SecurityGroupDriver;
import dev.computeagent.virt.network.SecurityRule;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spawn}: the instance's disks ({@link InstanceProvisioner}: root overlay over the cached image,
 * the flavor's ephemeral disk, a config drive), then define and boot through the driver, then wait
 * until the guest runs.
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
 * <p>NICs without a MAC get one from the agent ({@link MacAddresses}). A spawn that gives the guest
 * something to read (user data, SSH public keys or NICs to configure), or any spawn on a host with
 * {@link ConfigDriveOptions#force}, gets a config drive (as Nova writes it: see
 * {@link dev.computeagent.agent.configdrive}); a spawn with none of these has nothing for cloud-init to
 * apply beyond the hostname and skips the genisoimage run.
 *
 * <p>Before any work every NIC of type {@code network} must name a network that runs on this host, else
 * {@code INVALID_COMMAND} (nothing is created). With {@code security_groups} the instance's filter is applied
 * before its domain is defined, its NICs reference it, and a failed spawn removes it with the domain. Before any work a new instance must fit ({@link HostCapacity}), else {@code INSUFFICIENT_RESOURCES};
 * what it needs is held until the spawn ends. With {@code root_gb} 0 the root disk is the image's virtual
 * size: checked and held again once the image is known. An image above the root disk is refused before
 * it is cached. The instance is in the registry as {@code BUILDING} from the moment its domain exists, and
 * {@code ACTIVE} once its guest runs: its success is announced then, and its {@code ACTIVE} annotation and spawn
 * marker are written right behind the announcement, before its next command ({@link SpawnCompletion}, which
 * says why that keeps every guarantee).
 *
 * <p>Longer than the agent's other classes (~340 lines) because a spawn's steps and the clean-up of each are
 * read best in one place, in the order they run; what other commands share lives elsewhere ({@code provision},
 * {@link GuestBoot}, {@code recovery.FailedSpawnCleanup}).
 */
public final class SpawnHandler implements CommandHandler<SpawnArgs> {

    private static final Logger log = LoggerFactory.getLogger(SpawnHandler.class);

    private final ComputeDriver driver;
    private final ImageCache images;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final InstanceProvisioner provisioner;
    private final HostCapacity capacity;
    private final ConfigDriveOptions configDriveOptions;
    private final String host;
    private final Clock clock;
    private final Phases phases;
    private final NetworkDriver networks;
    private final SecurityGroupDriver groups;
    private final SpawnCompletion completion;

    public SpawnHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                        InstanceProvisioner provisioner, HostCapacity capacity, ConfigDriveOptions configDriveOptions,
                        String host, Clock clock, MeterRegistry meters, NetworkDriver networks,
                        SecurityGroupDriver groups) {
        this(driver, images, store, files, provisioner, capacity, configDriveOptions, host, clock, meters, networks,
                groups, null);
    }

    /**
     * As the other constructor, the durable writes behind each announced spawn run by {@code completionWriters}
     * (null: threads of their own, at once); tests that call {@link #handle} directly and read the instance right
     * after it, as its next command would, pass a direct executor.
     */
    public SpawnHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                        InstanceProvisioner provisioner, HostCapacity capacity, ConfigDriveOptions configDriveOptions,
                        String host, Clock clock, MeterRegistry meters, NetworkDriver networks,
                        SecurityGroupDriver groups, @Nullable Executor completionWriters) {
        this.driver = driver;
        this.images = images;
        this.store = store;
        this.files = files;
        this.provisioner = provisioner;
        this.capacity = capacity;
        this.configDriveOptions = configDriveOptions;
        this.host = host;
        this.clock = clock;
        this.phases = timedBy(meters);
        this.networks = networks;
        this.groups = groups;
        this.completion = new SpawnCompletion(store, files, completionWriters);
    }

    @Override
    public CommandName command() {
        return CommandName.SPAWN;
    }

    @Override
    public Outcome handle(Command<SpawnArgs> command) {
        UUID uuid = command.instanceUuid();
        SpawnArgs args = command.args();
        String fingerprint = SpecFingerprint.of(args);
        Optional<InstanceInfo> existing = store.find(uuid);
        if (existing.isPresent()) {
            return finishExisting(existing.get(), fingerprint);
        }
        requireNetworks(args);
        capacity.reserve(uuid, HostCapacity.Need.withDisks(args.flavor(), args.flavor().rootBytes()));
        try {
            return spawnNew(command, fingerprint);
        } finally {
            capacity.release(uuid);
        }
    }

    private Outcome spawnNew(Command<SpawnArgs> command, String fingerprint) {
        UUID uuid = command.instanceUuid();
        SpawnArgs args = command.args();
        Flavor flavor = args.flavor();
        // no domain here: an existing directory of this host can only be a crashed attempt of this same spawn
        // (recovery keeps directories of completed spawns only when they have a domain), so it is ours to reuse;
        // one another host owns (a shared instances directory) or made for an arrival holds another's disks
        if (files.exists(uuid) && (files.ownedElsewhere(uuid) || files.preparedForArrival(uuid))) {
            throw new CommandFailedException(ErrorCode.INSTANCE_EXISTS, "instance " + uuid + " exists: its directory "
                    + "holds " + files.owner(uuid).filter(o -> !o.equals(host)).map(o -> o + "'s instance")
                    .orElse("an instance migrating here"), false);
        }
        files.create(uuid);
        try {
            long rootBytes = flavor.rootBytes();
            // the size limit applies before the image enters the cache; root_gb 0 takes the image's virtual
            // size, which the flavor's largest root disk bounds
            CachedImage image = phases.time("image", () -> images.fetch(args.imageId(),
                    rootBytes > 0 ? rootBytes : Gib.toBytes(Flavor.MAX_DISK_GB)));
            if (rootBytes == 0) {
                capacity.reserve(uuid, HostCapacity.Need.withDisks(flavor, image.virtualSize()));
            }
            List<NicSpec> nics = MacAddresses.assign(uuid, args.nicSpecs());
            List<DiskSpec> disks = provisioner.createDisks(uuid, args.imageId(), flavor, rootBytes,
                    configDrive(uuid, args, nics), phases);
            InstanceSpec provisioned = provisioner.spec(uuid, metadata(command, fingerprint), disks, nics,
                    image.properties());
            Optional<List<SecurityRule>> rules = args.securityRules();
            // the filter must exist before a domain referencing it starts
            rules.ifPresent(r -> groups.apply(uuid, r));
            InstanceSpec spec = rules.isPresent() ? provisioned.withSecurityGroups() : provisioned;
            // the driver answers what it started: no second read of the domain it has just defined
            InstanceInfo defined = phases.time("define", () -> driver.spawnRunning(spec));
            // visible over REST as BUILDING from the moment the domain exists
            store.track(defined);
            // a domain libvirt has just started usually runs already: then this read is the last one
            InstanceInfo running = phases.time("boot", () -> defined.powerState() == PowerState.RUNNING ? defined
                    : GuestBoot.awaitRunning(driver, uuid));
            // announced before ACTIVE and the marker are on disk: see SpawnCompletion for why that is safe
            return completion.complete(running, phases);
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
     * Refuses, before anything is reserved, fetched or created, a NIC on a network this host does not have or
     * does not run: the caller asked for what the host lacks.
     */
    private void requireNetworks(SpawnArgs args) {
        for (NicSpec nic : args.nicSpecs()) {
            if (nic.type() == NicSpec.Type.NETWORK && !networks.isActive(nic.source().orElseThrow())) {
                throw new CommandFailedException(ErrorCode.INVALID_COMMAND, "network " + nic.source().orElseThrow()
                        + " does not exist or is not running on host " + host, false);
            }
        }
    }

    /** A config drive when the guest has something to read from one, or the host forces one. */
    private ConfigDrive configDrive(UUID uuid, SpawnArgs args, List<NicSpec> nics) {
        if (!configDriveOptions.force() && args.userData() == null && args.publicKeys().isEmpty() && nics.isEmpty()) {
            return new ConfigDrive.None();
        }
        return new ConfigDrive.Build(new ConfigDriveContent(uuid, args.name(), args.metadata(), args.userDataBytes(),
                args.publicKeys(), nics, configDriveOptions.availabilityZone()));
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
            InstanceInfo running = info;
            try {
                if (info.powerState() != PowerState.RUNNING) {
                    driver.start(uuid);
                    running = GuestBoot.awaitRunning(driver, uuid);
                }
            } catch (RuntimeException e) {
                recordFailedRecovery(uuid, e);
                throw e;
            }
            Outcome outcome = Outcome.of(store.record(running, InstanceState.ACTIVE, null));
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

    private InstanceMetadata metadata(Command<SpawnArgs> command, String fingerprint) {
        SpawnArgs args = command.args();
        Map<String, String> annotations = args.securityGroups() == null ? new HashMap<>()
                : Annotations.withSecurityGroups(Map.of(), args.securityGroups());
        annotations.put(Annotations.STATE, InstanceState.BUILDING.name());
        annotations.put(Annotations.CREATED_AT, clock.instant().toString());
        annotations.put(Annotations.SPAWN_REQUEST, command.requestId());
        annotations.put(Annotations.SPEC_SHA256, fingerprint);
        return new InstanceMetadata(args.name(), args.flavor(), args.imageId(), host, args.metadata(), annotations);
    }

    /** Each step of a spawn as {@code agent.spawn.phase{phase}}. */
    private static Phases timedBy(MeterRegistry meters) {
        return new Phases() {
            @Override
            public <T> T time(String phase, Supplier<T> work) {
                Timer.Sample sample = Timer.start(meters);
                try {
                    return work.get();
                } finally {
                    sample.stop(meters.timer("agent.spawn.phase", "phase", phase));
                }
            }
        };
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
        try {
            groups.remove(uuid);
        } catch (RuntimeException e) {
            log.error("spawn of {} failed and its security groups' filter could not be removed", uuid, e);
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

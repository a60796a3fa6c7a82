package dev.computeagent.virt.migration;

import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory {@link MigrationDriver} over {@link FakeComputeDriver}s, for the agent's unit tests. A
 * {@link Network} maps migration URIs to fake hosts; a live migration moves the instance (spec with its
 * current metadata) from this host's fake to the destination's and removes it here, a cold one goes
 * through {@link #exportInstance} / {@link #defineInstance}. Unlike a real migration the destination
 * fake "boots" the instance ({@link FakeComputeDriver#bootCount} grows); the failure semantics are the
 * real ones: when it throws, nothing moved. Failures can be injected with {@link #failNext}.
 */
public final class FakeMigrationDriver implements MigrationDriver {

    /** The fake hosts reachable by migration URI, and what was exported and completed between them. */
    public static final class Network {
        private final Map<String, FakeComputeDriver> hosts = new ConcurrentHashMap<>();
        private final Map<FakeComputeDriver, Map<UUID, CompletedMigration>> arrivals = new ConcurrentHashMap<>();
        private final Map<FakeComputeDriver, Map<UUID, IncomingState>> incoming = new ConcurrentHashMap<>();

        /** Makes {@code host} reachable at {@code migrationUri}. */
        public Network register(String migrationUri, FakeComputeDriver host) {
            hosts.put(migrationUri, host);
            return this;
        }

        /** Makes {@code migrationUri} unreachable again. */
        public void unregister(String migrationUri) {
            hosts.remove(migrationUri);
        }
    }

    private final FakeComputeDriver local;
    private final Network network;
    private final Queue<MigrationException> failures = new ArrayDeque<>();
    private final Queue<PostCopyLoss> postCopyLosses = new ArrayDeque<>();

    /** How the next post-copy transfer is lost: what the destination's hypervisor says, whether the source ended. */
    private record PostCopyLoss(IncomingState there, boolean sourceEnded) {
    }
    private final List<MigrationRequest> requests = new CopyOnWriteArrayList<>();
    private final List<InstanceSpec> defined = new CopyOnWriteArrayList<>();
    private final Queue<Hold> holds = new ConcurrentLinkedQueue<>();
    private final Map<UUID, Hold> heldTransfers = new ConcurrentHashMap<>();
    private final Map<UUID, List<DestinationVolume>> incomingSecrets = new ConcurrentHashMap<>();

    public FakeMigrationDriver(FakeComputeDriver local, Network network) {
        this.local = Objects.requireNonNull(local, "local");
        this.network = Objects.requireNonNull(network, "network");
    }

    /** The next {@link #migrateLive} or {@link #migrateStopped} fails with {@code failure} before anything moves. */
    public synchronized FakeMigrationDriver failNext(MigrationException failure) {
        failures.add(failure);
        return this;
    }

    /**
     * The next {@link #migrateLive} switches to post-copy, the instance arrives on the destination, and then the
     * source loses track of the transfer: it fails {@link Reason#POST_COPY_FAILED}, the stale copy stays here,
     * and the destination's {@link #incomingState} says {@code there} (as a real destination's hypervisor would
     * after completing or failing the post-copy on its own).
     */
    public synchronized FakeMigrationDriver loseNextAfterPostCopySwitch(IncomingState there) {
        postCopyLosses.add(new PostCopyLoss(there, false));
        return this;
    }

    /**
     * As {@link #loseNextAfterPostCopySwitch}, with the source's copy ended (its QEMU died): the stale copy here is
     * shut off.
     */
    public synchronized FakeMigrationDriver loseNextAfterPostCopySwitchWithTheSourceEnded(IncomingState there) {
        postCopyLosses.add(new PostCopyLoss(there, true));
        return this;
    }

    /**
     * The next {@link #migrateLive} or {@link #migrateStopped} stops before anything moves until the hold
     * is released (then it moves) or {@link #cancelMigration} cancels it (then it fails
     * {@link Reason#ABORTED}, the instance still here).
     */
    public Hold holdNextTransfer() {
        Hold hold = new Hold();
        holds.add(hold);
        return hold;
    }

    /** A transfer held in the middle, for cancel tests. */
    public static final class Hold {
        private final CompletableFuture<Void> reached = new CompletableFuture<>();
        private final CompletableFuture<Boolean> released = new CompletableFuture<>();
        private volatile MigrationProgress.Phase phase;

        /** The held transfer reports one sample in {@code value} before it waits (e.g. already post-copy). */
        public Hold inPhase(MigrationProgress.Phase value) {
            this.phase = value;
            return this;
        }

        /** Whether the held transfer has started. */
        public boolean reached() {
            return reached.isDone();
        }

        /** Lets the held transfer complete. */
        public void release() {
            released.complete(true);
        }

        private boolean awaitOutcome() {
            reached.complete(null);
            return released.join();
        }
    }

    /** Every live- and stopped-migration request received, in order. */
    public List<MigrationRequest> requests() {
        return List.copyOf(requests);
    }

    @Override
    public MigrationResult migrateLive(UUID uuid, MigrationRequest request, MigrationListener listener) {
        return move(uuid, request, listener, PowerState.RUNNING);
    }

    /** The instance arrives stopped (the fake has no paused state; the contract allows either). */
    @Override
    public MigrationResult migrateStopped(UUID uuid, MigrationRequest request, MigrationListener listener) {
        return move(uuid, request, listener, PowerState.SHUTDOWN);
    }

    private MigrationResult move(UUID uuid, MigrationRequest request, MigrationListener listener, PowerState needed) {
        requests.add(request);
        synchronized (this) {
            MigrationException failure = failures.poll();
            if (failure != null) {
                throw failure;
            }
        }
        Hold hold = holds.poll();
        if (hold != null) {
            if (hold.phase != null) {
                listener.onProgress(new MigrationProgress(Duration.ofMillis(1), 2, 1, 1, 2, request.maxDowntime(),
                        hold.phase, new MigrationProgress.Transfer(2, 1, 1), 0, MigrationProgress.Transfer.NONE, 0));
            }
            heldTransfers.put(uuid, hold);
            boolean proceed;
            try {
                proceed = hold.awaitOutcome();
            } finally {
                heldTransfers.remove(uuid);
            }
            if (!proceed) {
                throw new MigrationException(Step.TRANSFER, Reason.ABORTED, needed == PowerState.RUNNING,
                        "operation aborted: migration out job: canceled by client", null);
            }
        }
        InstanceSpec spec = currentSpec(uuid);
        if (local.info(uuid).powerState() != needed) {
            throw new MigrationException(Step.PREPARE, Reason.NOT_MIGRATABLE, needed == PowerState.RUNNING,
                    "instance " + uuid + " is not " + needed, null);
        }
        FakeComputeDriver destination = network.hosts.get(request.destinationUri());
        if (destination == null) {
            throw new MigrationException(Step.TRANSFER, Reason.DESTINATION_UNREACHABLE, needed == PowerState.RUNNING,
                    "nothing answers at " + request.destinationUri(), null);
        }
        try {
            destination.spawn(spec);
        } catch (DriverException e) {
            throw new MigrationException(Step.TRANSFER, Reason.DESTINATION_REFUSED, needed == PowerState.RUNNING,
                    "the destination refused " + uuid + ": " + e.getMessage(), e);
        }
        if (needed != PowerState.RUNNING) {
            destination.stop(uuid, Duration.ZERO);
        }
        PostCopyLoss lost;
        synchronized (this) {
            lost = needed == PowerState.RUNNING ? postCopyLosses.poll() : null;
        }
        if (lost != null) {
            listener.onProgress(new MigrationProgress(Duration.ofMillis(1), 2, 1, 1, 2, request.maxDowntime(),
                    MigrationProgress.Phase.POST_COPY, new MigrationProgress.Transfer(2, 1, 1), 0,
                    MigrationProgress.Transfer.NONE, 0));
            network.incoming.computeIfAbsent(destination, d -> new ConcurrentHashMap<>()).put(uuid, lost.there());
            if (lost.sourceEnded()) {
                local.stop(uuid, Duration.ZERO);
            }
            throw new MigrationException(Step.TRANSFER, Reason.POST_COPY_FAILED, false,
                    "failed during post-copy: lost the connection to the source's hypervisor", null);
        }
        if (needed == PowerState.RUNNING) {
            // as libvirt: the destination resumes it before the source's side of the migration ends
            destination.announceArrival(uuid);
        }
        listener.onProgress(new MigrationProgress(Duration.ZERO, 1, 1, 0, 1, request.maxDowntime()));
        local.destroy(uuid);
        network.arrivals.computeIfAbsent(destination, d -> new ConcurrentHashMap<>())
                .put(uuid, new CompletedMigration(Duration.ofMillis(1), Duration.ofMillis(1), 1));
        return new MigrationResult(Duration.ofMillis(1), 1, request.maxDowntime(), 1);
    }

    /**
     * The volume secrets prepared here and not released, by instance; defined only for volumes with credentials,
     * as a real driver does.
     */
    public Map<UUID, List<DestinationVolume>> incomingVolumeSecrets() {
        return Map.copyOf(incomingSecrets);
    }

    @Override
    public void prepareIncomingVolumes(UUID uuid, List<DestinationVolume> volumes) {
        List<DestinationVolume> credentialed = volumes.stream().filter(v -> v.connection().credentials().isPresent())
                .toList();
        if (!credentialed.isEmpty()) {
            incomingSecrets.put(uuid, credentialed);
        }
    }

    @Override
    public void releaseIncomingVolumes(UUID uuid) {
        if (local.listInstances().stream().noneMatch(i -> i.uuid().equals(uuid))) {
            incomingSecrets.remove(uuid);
        }
    }

    @Override
    public Set<UUID> instancesWithVolumeSecrets() {
        return Set.copyOf(incomingSecrets.keySet());
    }

    @Override
    public boolean cancelMigration(UUID uuid) {
        Hold hold = heldTransfers.get(uuid);
        return hold != null && hold.released.complete(false);
    }

    /** Fake migrations arrive at once (arrived), unless {@link #loseNextAfterPostCopySwitch} said otherwise. */
    @Override
    public IncomingState incomingState(UUID uuid) {
        local.info(uuid);
        return network.incoming.getOrDefault(local, Map.of()).getOrDefault(uuid, IncomingState.ARRIVED);
    }

    @Override
    public Optional<CompletedMigration> lastIncomingMigration(UUID uuid) {
        local.info(uuid);
        return Optional.ofNullable(network.arrivals.getOrDefault(local, Map.of()).get(uuid));
    }

    @Override
    public PortableInstance exportInstance(UUID uuid) {
        InstanceSpec spec = currentSpec(uuid);
        return new PortableInstance(uuid, spec.metadata(), spec.nics());
    }

    /** Every spec {@link #defineInstance} was given, in order. */
    public List<InstanceSpec> defined() {
        return List.copyOf(defined);
    }

    @Override
    public void defineInstance(InstanceSpec spec) {
        if (local.specOf(spec.uuid()).isPresent()) {
            throw new InstanceExistsException("instance " + spec.uuid() + " exists already");
        }
        defined.add(spec);
        try {
            // the fake cannot define without booting: boot, then power off at once
            local.spawn(spec);
            local.stop(spec.uuid(), Duration.ZERO);
        } catch (InstanceExistsException e) {
            throw e;
        } catch (DriverException e) {
            local.destroy(spec.uuid());
            throw new MigrationException(Step.DEFINITION, Reason.DESTINATION_REFUSED,
                    "cannot define " + spec.uuid() + ": " + e.getMessage(), e);
        }
    }

    private InstanceSpec currentSpec(UUID uuid) {
        InstanceSpec spec = local.specOf(uuid).orElseThrow(() -> new MigrationException(Step.PREPARE,
                Reason.NOT_MIGRATABLE, "no instance " + uuid, new InstanceNotFoundException("no instance " + uuid)));
        InstanceInfo info = local.info(uuid);
        return new InstanceSpec(uuid, info.metadata(), spec.disks(), spec.nics(), spec.consoleLog(), spec.vnc());
    }
}

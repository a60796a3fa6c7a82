package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.ResizeArrival;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.MigrationResize;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.message.SecurityRuleArgs;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.agent.state.ResizeRecord.Phase;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.migration.IncomingState;
import dev.computeagent.virt.migration.MigrationDriver;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code migration.adopt}, on the destination: the hypervisor moved the instance here; the adopt claims it
 * for this host ({@link OwnedInstancesDriver#claim}, the host-ownership collaborator) and records it
 * ({@code ACTIVE}; a stopped instance moved with its disks arrives paused and is powered off, then started
 * when {@code start}). Until then the instance is another host's and invisible to this agent's views, except that
 * a live arrival is claimed as soon as it runs here ({@link #claimOnArrival}), the adopt then recording it. An
 * adopt nobody prepared here (the destination restarted meanwhile) is accepted only for an instance the
 * hypervisor moved here whose owner is the sender.
 *
 * <p>A cold migration over shared storage sends the instance as typed data ({@link MigratedInstance}): the
 * destination renders and defines the domain itself, with its own paths ({@link InstanceProvisioner}: root
 * overlay, ephemeral disk, config drive and console log of its own instance directory), exactly as a spawn
 * here would; nothing the source sent is defined as a document. A failure undefines what it defined.
 *
 * <p>An adopt with {@code resize} ends a resize to another host: see {@link #adoptResized}; one with
 * {@code after_post_copy_failure} ends a post-copy migration whose source lost track of it: see
 * {@link #adoptAfterPostCopyFailure}.
 */
public final class MigrationAdoptHandler implements CommandHandler<MigrationAdoptArgs> {

    private static final Logger log = LoggerFactory.getLogger(MigrationAdoptHandler.class);
    /**
     * How long an adopt after a failed post-copy waits for the hypervisor to settle the incoming migration: the
     * pages still on the source stream at the migration's bandwidth (1 GiB at 2 MiB/s takes over 8 minutes).
     */
    static final Duration POST_COPY_SETTLE = Duration.ofMinutes(10);
    /**
     * The wait when the source says its copy no longer runs ({@code source_copy_gone}): no page can come any more,
     * so an incoming migration still in progress after this never completes (libvirt 9.0 was seen keeping it
     * "running (post-copy)" for good). Long enough for the hypervisor to notice a stream that ended.
     */
    static final Duration SOURCE_GONE_SETTLE = Duration.ofSeconds(30);
    private static final Duration SETTLE_POLL = Duration.ofSeconds(1);

    private final IncomingMigrations incoming;
    private final OwnedInstancesDriver ownership;
    private final MigrationDriver migrationDriver;
    private final ImageCache images;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final InstanceProvisioner provisioner;
    private final String host;
    private final ResizeFiles resizeFiles;
    private final ResizeArrival arrival;
    private final ArrivalNotices notices;
    private Duration sourceGoneSettle = SOURCE_GONE_SETTLE;

    /** @param host this agent's {@code agent.host}, the owner of what it defines */
    public MigrationAdoptHandler(IncomingMigrations incoming, OwnedInstancesDriver ownership,
                                 MigrationDriver migrationDriver, ImageCache images, InstanceStore store,
                                 InstanceFiles files, InstanceProvisioner provisioner, String host,
                                 ResizeFiles resizeFiles, ResizeArrival arrival, ArrivalNotices notices) {
        this.resizeFiles = resizeFiles;
        this.notices = notices;
        this.arrival = arrival;
        this.incoming = incoming;
        this.ownership = ownership;
        this.migrationDriver = migrationDriver;
        this.images = images;
        this.store = store;
        this.files = files;
        this.provisioner = provisioner;
        this.host = host;
    }

    /** Shortens {@link #SOURCE_GONE_SETTLE} (tests). */
    MigrationAdoptHandler settlingAfterAnEndedSourceWithin(Duration settle) {
        this.sourceGoneSettle = settle;
        return this;
    }

    @Override
    public CommandName command() {
        return CommandName.MIGRATION_ADOPT;
    }

    @Override
    public Outcome handle(Command<MigrationAdoptArgs> command) {
        UUID uuid = command.instanceUuid();
        MigrationAdoptArgs args = command.args();
        String source = IncomingMigrations.authenticatedSource(command);
        incoming.requireNotPreparedByOther(uuid, source, "");
        if (args.instance() != null) {
            if (incoming.preparer(uuid).isEmpty()) {
                throw IncomingMigrations.refused("no migration of " + uuid + " from " + source + " was prepared here");
            }
            return adoptCold(uuid, args.instance(), Boolean.TRUE.equals(args.start()), source);
        }
        if (args.resize() != null) {
            return adoptResized(uuid, args.resize(), Boolean.TRUE.equals(args.start()), source);
        }
        if (Boolean.TRUE.equals(args.afterPostCopyFailure())) {
            return adoptAfterPostCopyFailure(uuid, source, Boolean.TRUE.equals(args.sourceCopyGone()));
        }
        // an adopt without start (a re-sent migrate) follows what the source said at prepare
        boolean startOnArrival = args.start() != null ? args.start()
                : incoming.marker(uuid).map(IncomingMigrations.PreparedMarker::start).orElse(false);
        boolean coldCopy = args.start() != null || startOnArrival;
        Optional<InstanceInfo> claimedOnArrival = coldCopy ? Optional.empty() : incoming.claimedOnArrival(uuid);
        // a live arrival is recorded with the claim: one metadata write, made on its arrival when it could be
        InstanceInfo info = claimedOnArrival.isPresent() ? claimedOnArrival.get() : claimArrived(uuid, source,
                i -> stoppedArrival(i, coldCopy) ? i.metadata().annotations() : runningArrival(i));
        try {
            InstanceView view = stoppedArrival(info, coldCopy)
                    ? store.record(uuid, Annotations.fromPower(settleStoppedArrival(uuid, startOnArrival)), null)
                    : store.track(info);
            log.info("adopted instance {} migrated from {}", uuid, source);
            return Outcome.of(view);
        } finally {
            incoming.settled(uuid);
        }
    }

    /**
     * Claims a live arrival as soon as the hypervisor runs it here ({@link ArrivalClaims}), before the source's adopt
     * asks: its metadata write then overlaps the end of the source's migration instead of following it, and the
     * adopt only records what was claimed. Runs on the instance's lane. Does nothing unless a live migration of
     * {@code uuid} from its prepared source is still awaited here and the instance runs here; a claim that fails is
     * logged and left to the adopt, which claims as it always did. When the source asked for it, it is told
     * ({@link ArrivalNotices}) and finishes without an adopt: the migration is settled here at once.
     */
    void claimOnArrival(UUID uuid) {
        Optional<String> source = incoming.awaitedLiveArrival(uuid);
        if (source.isEmpty()) {
            return;
        }
        InstanceInfo info;
        try {
            info = claimArrived(uuid, source.get(), i -> {
                if (i.powerState() != PowerState.RUNNING) {
                    throw new IllegalStateException("it is " + i.powerState() + " here");
                }
                return runningArrival(i);
            });
        } catch (RuntimeException e) {
            log.info("instance {} arrived from {} but is not claimed before its adopt: {}", uuid, source.get(),
                    e.getMessage());
            return;
        }
        InstanceView view = store.track(info);
        Optional<ArrivalNotice> notice = incoming.arrivalNotice(uuid);
        if (notice.isEmpty()) {
            incoming.claimedOnArrival(uuid, info);
            log.info("instance {} migrated from {} runs here: claimed on its arrival", uuid, source.get());
            return;
        }
        // the source finishes on the notice, without an adopt: settled here now (a late adopt finds it this host's)
        incoming.settled(uuid);
        boolean sent = notices.send(notice.get(), uuid, Outcome.payloadOf(view));
        log.info("instance {} migrated from {} runs here: claimed on its arrival, {}", uuid, source.get(),
                sent ? "its source told" : "its source not told (it adopts)");
    }

    /** A running arrival's annotations: its state recorded from its power state, without an error. */
    private static Map<String, String> runningArrival(InstanceInfo info) {
        return Annotations.with(info.metadata().annotations(), Annotations.fromPower(info.powerState()), null);
    }

    /**
     * The source's transfer failed after the switch to post-copy. The guest's newest memory and disk writes are
     * here, so this host becomes its one owner whatever happened: once the hypervisor settled the incoming
     * migration (QEMU may finish it without the source's management: a source that lost only its libvirtd), an
     * arrived instance is claimed as a live arrival; one whose post-copy failed is powered off (its memory is
     * incomplete: it can never run on) and claimed {@code ERROR}, its disk as a power loss would leave it. When
     * the source's copy no longer runs ({@code sourceCopyGone}), no page can come any more: a migration still in
     * progress after {@link #SOURCE_GONE_SETTLE} has failed, whatever the hypervisor still says.
     *
     * @throws CommandFailedException {@code TIMEOUT} (retriable) when it still arrives after {@link #POST_COPY_SETTLE}
     *                                (the source's copy may still stream); {@code INSTANCE_NOT_FOUND} when nothing
     *                                of it is here
     */
    private Outcome adoptAfterPostCopyFailure(UUID uuid, String source, boolean sourceCopyGone) {
        IncomingState settled = sourceCopyGone ? awaitSettledWithin(uuid, sourceGoneSettle) : awaitSettled(uuid);
        if (settled == IncomingState.IN_PROGRESS) {
            log.warn("instance {}: its post-copy migration from {} still arrives {} s after the source's copy ended; "
                    + "the pages it lacks died with it", uuid, source, sourceGoneSettle.toSeconds());
        }
        if (settled != IncomingState.ARRIVED) {
            // libvirt keeps the failed job, which blocks the claim's metadata write until the process is gone;
            // the process can never run on anyway: the pages that stayed on the source are lost
            try {
                ownership.powerOffArrival(uuid, source);
            } catch (InstanceNotFoundException e) {
                throw new CommandFailedException(ErrorCode.INSTANCE_NOT_FOUND, "instance " + uuid
                        + " has not arrived on this host", false);
            }
        }
        String fault = "post-copy migration from " + source + " failed: the guest's memory was lost with the "
                + "source's half; powered off here (its disk as a power loss left it): delete the instance";
        InstanceInfo info = claimArrived(uuid, source, i -> settled == IncomingState.ARRIVED ? runningArrival(i)
                : Annotations.with(i.metadata().annotations(), InstanceState.ERROR, fault));
        try {
            InstanceView view = store.track(info);
            log.info("adopted instance {} after its post-copy migration from {} lost its source: {}", uuid, source,
                    settled);
            return Outcome.of(view);
        } finally {
            incoming.settled(uuid);
        }
    }

    private IncomingState awaitSettled(UUID uuid) {
        IncomingState state = awaitSettledWithin(uuid, POST_COPY_SETTLE);
        if (state == IncomingState.IN_PROGRESS) {
            throw new CommandFailedException(ErrorCode.TIMEOUT, "the post-copy migration of " + uuid
                    + " is still arriving after " + POST_COPY_SETTLE.toMinutes() + " min", true);
        }
        return state;
    }

    /** The incoming state once it is no longer {@code IN_PROGRESS}, or {@code IN_PROGRESS} after {@code bound}. */
    private IncomingState awaitSettledWithin(UUID uuid, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            IncomingState state;
            try {
                state = migrationDriver.incomingState(uuid);
            } catch (InstanceNotFoundException e) {
                throw new CommandFailedException(ErrorCode.INSTANCE_NOT_FOUND, "instance " + uuid
                        + " has not arrived on this host", false);
            }
            if (state != IncomingState.IN_PROGRESS || System.nanoTime() > deadline) {
                return state;
            }
            LockSupport.parkNanos(Math.min(SETTLE_POLL.toNanos(), Math.max(1, bound.toNanos() / 10)));
        }
    }

    /**
     * Makes the arrived instance this host's ({@code annotations} recorded with the claim), forgets its prepared
     * marker and records its directory as this host's ({@link #recordDirectory}). The directory is recorded first,
     * once the hypervisor is seen to have the instance here: the guest runs from it here from then on, and a crash
     * between the two writes must never leave the source free to remove it (an unclaimed arrival is adopted again).
     *
     * @throws CommandFailedException {@code INSTANCE_NOT_FOUND}: it has not arrived, or belongs to another host
     */
    private InstanceInfo claimArrived(UUID uuid, String source,
                                      Function<InstanceInfo, Map<String, String>> annotations) {
        InstanceInfo info;
        try {
            InstanceInfo found = ownership.arrivedOrOwned(uuid, source);
            Map<String, String> claimed = annotations.apply(found);
            recordDirectory(uuid);
            info = ownership.claim(found, claimed);
        } catch (InstanceNotFoundException e) {
            throw new CommandFailedException(ErrorCode.INSTANCE_NOT_FOUND, "instance " + uuid
                    + " has not arrived on this host", false);
        }
        incoming.unmark(uuid);
        return info;
    }

    /**
     * The arrived instance's directory here, when it has one, is this host's now: marked complete (the source's
     * spawn marked a shared one already, durably: not written again) and, when it names another host as its owner
     * (a shared directory), recorded as this host's, so that the source never removes it.
     */
    private void recordDirectory(UUID uuid) {
        if (!files.exists(uuid)) {
            return;
        }
        if (!files.spawnComplete(uuid)) {
            files.markSpawnComplete(uuid);
        }
        if (files.ownedElsewhere(uuid)) {
            files.recordOwner(uuid);
        }
    }

    /**
     * A resize to another host: the instance arrived as a cold copy with its old flavor; it becomes this
     * host's, gets the new flavor ({@link ResizeArrival}, recorded with its source so that confirm and
     * revert reach it) and is {@code RESIZED}. The same resize adopted again is answered; one cut half-way
     * (its record still {@code RESIZING}) is finished.
     */
    private Outcome adoptResized(UUID uuid, MigrationResize resize, boolean start, String source) {
        Optional<ResizeRecord> earlier = resizeFiles.record(uuid)
                .filter(r -> r.requestId().equals(resize.requestId()) && source.equals(r.sourceHost()));
        if (earlier.isPresent() && earlier.get().phase() != Phase.RESIZING) {
            return Outcome.of(store.track(ownership.info(uuid)));
        }
        InstanceInfo info = claimArrived(uuid, source, i -> i.metadata().annotations());
        try {
            ResizeRecord record = earlier.orElseGet(() -> new ResizeRecord(Phase.RESIZING, info.metadata().flavor(),
                    resize.flavor(), start, resize.requestId(), source, null, null));
            InstanceView view = arrival.finish(uuid, record);
            log.info("adopted instance {} resized from {} to {}", uuid, source, resize.flavor());
            return Outcome.of(view);
        } finally {
            incoming.settled(uuid);
        }
    }

    /** A live arrival runs; a stopped one (paused, never run) is a cold copy, or is found paused. */
    private static boolean stoppedArrival(InstanceInfo info, boolean coldCopy) {
        return coldCopy || info.powerState() == PowerState.PAUSED;
    }

    /**
     * A stopped instance moved with its disks arrives paused (or stopped), its guest never having run
     * ({@link MigrationDriver#migrateStopped}): power it off, and boot it when it was running on the source.
     * A failed boot leaves it this host's, stopped, with the error.
     */
    private PowerState settleStoppedArrival(UUID uuid, boolean start) {
        ComputeDriver driver = ownership;
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
    private Outcome adoptCold(UUID uuid, MigratedInstance instance, boolean start, String source) {
        boolean defined = false;
        try {
            if (!ownership.existsForAnyHost(uuid)) {
                migrationDriver.defineInstance(new MigratedInstanceSpecs(provisioner, images, host).spec(uuid, instance));
                defined = true;
            }
            ownership.claim(uuid, source);
            if (start) {
                ownership.start(uuid);
            }
        } catch (RuntimeException e) {
            if (defined) {
                try {
                    ownership.destroyForAnyHost(uuid);
                } catch (RuntimeException cleanup) {
                    log.error("cold adopt of {} failed and its definition could not be removed", uuid, cleanup);
                }
            }
            incoming.settled(uuid);
            throw e;
        }
        recordDirectory(uuid);
        InstanceView view = store.record(uuid, start ? InstanceState.ACTIVE : InstanceState.STOPPED, null);
        incoming.settled(uuid);
        log.info("adopted instance {} cold-migrated from {}", uuid, source);
        return Outcome.of(view);
    }
}

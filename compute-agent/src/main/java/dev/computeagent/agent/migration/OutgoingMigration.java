package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.Redefinitions;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.InternalArgs;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.MigrateVolumeArgs;
import dev.computeagent.agent.message.MigrationAbortArgs;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.message.MigrationVolumeArgs;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.AttachedVolumes;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.migration.DestinationVolume;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationProgress;
import dev.computeagent.virt.migration.MigrationRequest;
import dev.computeagent.virt.migration.MigrationResult;
import dev.computeagent.virt.migration.SharedStorageProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One outgoing migration, step by step ({@link MigrateHandler} has the failure semantics): check, prepare,
 * the hypervisor's move, adopt; it remembers how far it got so that {@link #rollBack} knows what to undo.
 * Over 300 lines because each step sits beside what undoing it takes, so that the roll-back can be checked
 * against the steps by reading one class.
 */
final class OutgoingMigration implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutgoingMigration.class);

    private final MigrateHandler.Collaborators parts;
    private final Command<MigrateArgs> command;
    private final UUID uuid;
    private final String destination;
    private final InstanceInfo info;
    private final OutgoingMigrations.Running running;
    /** A resize to another host rides on this migration; null for a plain {@code migrate}. */
    private final @Nullable ResizeLeg leg;
    private boolean shared;
    private boolean prepareSent;
    private boolean moved;
    private boolean wasRunning;
    private boolean stopped;
    /** The transfer failed during post-copy: nothing may be rolled back. */
    private boolean postCopyFailed;
    /** The phase the hypervisor's live transfer completed in, for the end event. */
    private @Nullable String completedIn;
    /** The guest's pause at the switch-over, as the hypervisor measured it (live, when it said). */
    private @Nullable Duration downtime;
    /** A live migration's notice that the destination claimed the instance on its arrival (then no adopt). */
    private final ExpectedNotice arrival;

    OutgoingMigration(MigrateHandler.Collaborators parts, Command<MigrateArgs> command, InstanceInfo info,
                      OutgoingMigrations.Running running, @Nullable ResizeLeg leg) {
        this.running = running;
        this.leg = leg;
        this.parts = parts;
        this.command = command;
        this.uuid = command.instanceUuid();
        this.destination = command.args().destination();
        this.info = info;
        this.arrival = leg == null && command.args().liveOrDefault() ? parts.destinations().expectNotice()
                : ExpectedNotice.NONE;
    }

    /** Stops waiting for the arrival notice. */
    @Override
    public void close() {
        arrival.close();
    }

    Outcome run() {
        InstanceMetadata meta = info.metadata();
        List<DestinationVolume> volumes = destinationVolumes(meta);
        // shown, not stored: a libvirt metadata write (libvirtd rewrites and syncs the domain's XML) on the
        // critical path bought nothing a restart could use (it makes MIGRATING its power state again);
        // rollBack records the state again
        parts.store().show(info, InstanceState.MIGRATING);
        // a live migration that may go over shared storage asks check and prepare in one round trip (no
        // instance directory here: nothing to probe, the storage is not shared, check and prepare apart)
        boolean checkWithPrepare = leg == null && command.args().liveOrDefault()
                && !Boolean.TRUE.equals(command.args().blockMigration()) && parts.files().exists(uuid);
        MigrationReply check = checkWithPrepare ? checkAndPrepareShared(meta, volumes) : checkDestination(meta);
        boolean prepared = checkWithPrepare && check.flag("prepared");
        shared = check.flag("shared_storage");
        String uri = check.string("migration_uri").orElseThrow(() -> failed("check",
                "destination " + destination + " did not tell its migration URI", false));
        MigrationPlan plan;
        try {
            plan = MigrationPlan.decide(command.args(), shared, uri, parts.policy(), Redefinitions.volumeDevices(info));
        } catch (CommandFailedException e) {
            throw failed("check", e.getMessage(), false);
        } catch (IllegalArgumentException e) {
            throw failed("check", "destination " + destination + " sent an unusable migration URI: "
                    + e.getMessage(), false);
        }
        if (leg != null && !(plan instanceof MigrationPlan.Cold && plan.destinationNeedsOverlay())) {
            throw failed("check", "a resize to another host copies the disks, but " + destination
                    + " shares this instance's storage", false);
        }
        if (plan instanceof MigrationPlan.Cold && !plan.destinationNeedsOverlay() && !Redefinitions.volumeDevices(info).isEmpty()) {
            // the hand-over carries typed data without volumes (their connections are not kept here)
            throw failed("check", "a cold migration over shared storage cannot carry the attached volumes "
                    + AttachedVolumes.of(meta.annotations()).keySet() + "; detach them first, or migrate live", false);
        }
        MigrationRequest request = withPathRewrite(plan.request(), shared, destinationStateDir(check))
                .withDestinationVolumes(volumes);
        if (!prepared) {
            stopIfCancelled();
            prepareSent = true;
            // kept there for a cold copy: a re-sent migrate whose first adopt went unanswered no longer knows it
            Boolean start = plan instanceof MigrationPlan.Cold && plan.destinationNeedsOverlay()
                    ? info.powerState() == PowerState.RUNNING : null;
            // after a prepare that did not prepare, its request id is answered from the destination's journal
            call("prepare", checkWithPrepare ? ".prepare-again" : ".prepare", CommandName.MIGRATION_PREPARE,
                    prepareArgs(meta, plan.destinationNeedsOverlay(), start, volumes), parts.timeouts().prepare());
        }
        stopIfCancelled();
        if (plan instanceof MigrationPlan.Cold) {
            wasRunning = info.powerState() == PowerState.RUNNING;
            parts.driver().stop(uuid, command.args().stopTimeoutOrDefault());
            stopped = true;
            return plan.destinationNeedsOverlay() ? moveStoppedWithDisk(request) : handOverInstance();
        }
        MigrationResult result;
        enterTransfer();
        try (ProgressTracker progress = parts.progress().track(uuid, command.requestId(), destination)) {
            result = parts.migrationDriver().migrateLive(uuid, request, sample -> {
                if (sample.phase() == MigrationProgress.Phase.POST_COPY) {
                    // the guest runs there from the switch on: a migrate_abort now is too late, not retried
                    running.movedByHypervisor();
                }
                progress.onProgress(sample);
            });
            // the switch may come after the last sample
            completedIn = result.postCopy() ? MigrationProgress.Phase.POST_COPY.name() : progress.completedIn();
            downtime = result.downtime();
        } catch (MigrationException e) {
            if (e.reason() == MigrationException.Reason.POST_COPY_FAILED) {
                return afterPostCopyFailure(e);
            }
            moved = !e.sourceStillRunning() && parts.store().find(uuid).isEmpty();
            throw MigrationFailures.toCommandFailure(e);
        }
        running.movedByHypervisor();
        moved = true;
        log.info("instance {} moved to {} in {} ms ({} bytes)", uuid, destination, result.wallTime().toMillis(),
                result.bytesTransferred());
        parts.store().forget(uuid);
        // the destination claimed it when its hypervisor resumed it, usually well before the move returned here
        Optional<MigrationReply> claimed = arrival.received();
        if (claimed.isPresent()) {
            log.debug("instance {}: {} claimed it on its arrival; no adopt", uuid, destination);
            return finish(claimed.get(), PowerState.RUNNING);
        }
        return finish(adopt(null), PowerState.RUNNING);
    }

    /**
     * The transfer failed after the switch to post-copy. The guest ran on the destination from the switch on,
     * so its newest memory and disk writes are there and nothing is rolled back here (resuming this host's
     * stale copy would run the guest twice, over a disk the destination already wrote). What happened depends
     * on what failed: a source that lost only its own libvirtd leaves QEMU streaming the remaining pages, and
     * the destination's libvirt completes the migration by itself; a dead QEMU or link leaves the destination's
     * copy paused, post-copy failed. The destination tells which with its adopt ({@code after_post_copy_failure})
     * and becomes the one owner either way; this host then lets go of the instance and removes its stale copy when
 * libvirt allows ({@link StaleCopyRemoval}).
     * Completed there: {@code migrate} ends as a migration that completed in post-copy. Failed there: not
     * retriable, the instance {@code ERROR} on the destination. The destination unable to answer: the instance
     * is recorded {@code ERROR} here, not retriable (the memory is split, no retry could help).
     */
    private Outcome afterPostCopyFailure(MigrationException e) {
        postCopyFailed = true;
        running.movedByHypervisor();
        boolean sourceCopyGone = sourceCopyGone();
        log.warn("instance {}: post-copy migration to {} lost track of its transfer ({}); asking {} to settle it{}",
                uuid, destination, e.getMessage(), destination, sourceCopyGone ? " (this host's copy has ended)" : "");
        MigrationReply adopted;
        try {
            adopted = parts.destinations().call(destination, CommandName.MIGRATION_ADOPT,
                    StepRequestIds.of(command.requestId(), ".adopt"), uuid,
                    MigrationAdoptArgs.afterPostCopyFailure(parts.host(), command.requestId(), sourceCopyGone),
                    MigrationAdoptHandler.POST_COPY_SETTLE.plus(parts.timeouts().adopt()));
        } catch (DestinationUnreachableException unreachable) {
            throw strandedHere(e, destination + " could not be asked: " + unreachable.getMessage());
        }
        if (adopted.failed()) {
            throw strandedHere(e, destination + " did not take it: " + adopted.error().code() + ": "
                    + adopted.error().message());
        }
        moved = true;
        // libvirt keeps this host's stale copy locked by its failed job: let go of it now, remove it when it can be
        parts.staleCopies().release(uuid);
        parts.store().forget(uuid);
        completedIn = MigrationProgress.Phase.POST_COPY.name();
        if (InstanceState.ERROR.name().equals(adopted.payload().get("state"))) {
            removeSourceFilter();
            throw MigrationFailures.toCommandFailure(e, "the guest's memory is lost with it; the instance is ERROR on "
                    + destination + ", its owner now: delete it there");
        }
        log.info("instance {}: the post-copy migration to {} completed without this host's hypervisor; {} owns it",
                uuid, destination, destination);
        return finish(adopted, PowerState.RUNNING);
    }

    /**
     * Whether this host's copy of the guest has ended (its QEMU is gone): then no page can come from here any more.
     * A hypervisor that cannot be asked (this host's libvirtd away) says nothing: its QEMU may stream on.
     */
    private boolean sourceCopyGone() {
        try {
            PowerState state = parts.driver().info(uuid).powerState();
            return state == PowerState.SHUTDOWN || state == PowerState.CRASHED;
        } catch (RuntimeException unknown) {
            log.debug("instance {}: cannot tell whether its copy here still runs: {}", uuid, unknown.toString());
            return false;
        }
    }

    /** Nobody could take the instance over: it stays this host's, in ERROR, and the error says why. */
    private CommandFailedException strandedHere(MigrationException e, String why) {
        String fault = "post-copy migration to " + destination + " failed and " + why + "; the guest runs on "
                + "neither host (libvirt keeps it paused, post-copy failed) and must be deleted or rebuilt: "
                + e.getMessage();
        try {
            parts.store().record(uuid, InstanceState.ERROR, MigrateHandler.abbreviate(fault));
        } catch (RuntimeException recordFailure) {
            log.warn("could not record the failed post-copy of {}", uuid, recordFailure);
        }
        log.error("instance {}: {}", uuid, fault);
        return MigrationFailures.toCommandFailure(e, "the guest runs on neither host");
    }

    /** The guest runs (or, cold, is defined) there and its agent adopted it: the source lets it go. */
    private Outcome finish(MigrationReply adopted, PowerState expected) {
        if (leg != null) {
            leg.arrived(uuid);
        } else if (!shared) {
            removeSourceFiles();
        }
        removeSourceFilter();
        Map<String, Object> payload = new LinkedHashMap<>(adopted.payload());
        payload.put("destination", destination);
        payload.putIfAbsent("state", Annotations.fromPower(expected).name());
        payload.putIfAbsent("power_state", expected.name());
        if (completedIn != null) {
            payload.put("completed_in", completedIn);
        }
        if (downtime != null) {
            payload.put("downtime_ms", downtime.toMillis());
        }
        return new Outcome(payload);
    }

    /**
     * Cold without shared storage: the stopped instance moves with its overlay copied into the one
     * prepare created there; it arrives paused, never having run, and the destination's adopt powers it
     * off and starts it when it was running here.
     */
    private Outcome moveStoppedWithDisk(MigrationRequest request) {
        MigrationResult result;
        enterTransfer();
        if (leg != null) {
            // written before the move: whatever happens next, this host knows it keeps the old disks
            leg.beforeMove(uuid, MigrateHandler.migrated(parts.migrationDriver().exportInstance(uuid)));
        }
        try (ProgressTracker progress = parts.progress().track(uuid, command.requestId(), destination)) {
            result = parts.migrationDriver().migrateStopped(uuid, request, progress);
        } catch (MigrationException e) {
            moved = parts.store().find(uuid).isEmpty();
            throw MigrationFailures.toCommandFailure(e, moved ? "the instance is no longer on the source"
                    : "the instance stays on the source");
        }
        running.movedByHypervisor();
        moved = true;
        log.info("stopped instance {} moved to {} with its disk in {} ms ({} bytes)", uuid, destination,
                result.wallTime().toMillis(), result.bytesTransferred());
        parts.store().forget(uuid);
        return finish(adopt(wasRunning), wasRunning ? PowerState.RUNNING : PowerState.SHUTDOWN);
    }

    /**
     * Cold over shared storage: hand the instance over with the adopt, as typed data (never a
     * hypervisor document); the destination renders and defines it with its own paths and (when it was
     * running) starts it, then undefine here. The disk stays where it is.
     */
    private Outcome handOverInstance() {
        MigrationAdoptArgs args = new MigrationAdoptArgs(parts.host(), command.requestId(),
                MigrateHandler.migrated(parts.migrationDriver().exportInstance(uuid)), wasRunning);
        if (!running.passPointOfNoReturn()) {
            throw failed("adopt", "cancelled", false);
        }
        MigrationReply adopted;
        try {
            adopted = parts.destinations().call(destination, CommandName.MIGRATION_ADOPT,
                    StepRequestIds.of(command.requestId(), ".adopt"), uuid, args, parts.timeouts().adopt());
        } catch (DestinationUnreachableException e) {
            // the destination may or may not have started it: never start a second copy on the shared disk
            moved = true;
            parts.store().record(uuid, InstanceState.ERROR, "cold migration to " + destination + " unconfirmed: "
                    + e.getMessage());
            throw failed("adopt", e.getMessage() + "; the instance stays stopped here until its owner is "
                    + "known", true);
        }
        if (adopted.failed()) {
            throw failed("adopt", "destination " + destination + " refused: " + adopted.error().code() + ": "
                    + adopted.error().message(), adopted.error().retriable());
        }
        moved = true;
        parts.driver().destroy(uuid);
        parts.store().forget(uuid);
        removeSourceFilter();
        Map<String, Object> payload = new LinkedHashMap<>(adopted.payload());
        payload.put("destination", destination);
        return new Outcome(payload);
    }

    private MigrationReply checkDestination(InstanceMetadata meta) {
        SharedStorageProbe.Marker marker = parts.files().exists(uuid) ? SharedStorageProbe.plant(parts.files().dir(uuid)) : null;
        try {
            return call("check", CommandName.MIGRATION_CHECK, new MigrationCheckArgs(parts.host(), meta.flavor(),
                    meta.imageId(), marker == null ? null : SharedStorageProbe.PREFIX + marker.token(),
                    leg == null ? null : leg.flavor()), parts.timeouts().check());
        } finally {
            if (marker != null) {
                SharedStorageProbe.remove(marker);
            }
        }
    }

    /**
     * The volumes as the destination reaches them ({@code migrate.args.volumes}), each on the device it is attached
     * on here, its secret there named for the destination (see {@link DestinationVolume#secretOn}).
     *
     * @throws CommandFailedException {@code INVALID_COMMAND}: a volume that is not attached to the instance
     */
    private List<DestinationVolume> destinationVolumes(InstanceMetadata meta) {
        List<MigrateVolumeArgs> given = command.args().volumes();
        if (given == null) {
            return List.of();
        }
        List<DestinationVolume> volumes = new ArrayList<>();
        for (MigrateVolumeArgs volume : given) {
            AttachedVolumes.Entry attached = AttachedVolumes.find(meta.annotations(), volume.volumeId())
                    .orElseThrow(() -> new CommandFailedException(ErrorCode.INVALID_COMMAND, "args.volumes names "
                            + volume.volumeId() + ", which is not attached to instance " + uuid, false));
            volumes.add(new DestinationVolume(volume.volumeId(), attached.device(),
                    volume.connectionInfo().toConnection(),
                    DestinationVolume.secretOn(destination, uuid, volume.volumeId())));
        }
        return volumes;
    }

    /**
     * A live migration's check within its prepare: the destination prepares for shared storage when it sees the
     * probe, else only answers the check ({@code prepared: false}) and {@link #run} prepares again for a copy.
     * A destination of a version before this answers a prepare without looking at the probe (no {@code prepared}
     * in the reply: it prepared without copy, unchecked): it is asked {@code migration.check} as well, and the
     * answer says whether what it prepared is what the storage needs.
     */
    private MigrationReply checkAndPrepareShared(InstanceMetadata meta, List<DestinationVolume> volumes) {
        stopIfCancelled();
        SharedStorageProbe.Marker marker = SharedStorageProbe.plant(parts.files().dir(uuid));
        String probe = SharedStorageProbe.PREFIX + marker.token();
        try {
            prepareSent = true;
            MigrationReply reply = call("prepare", ".prepare", CommandName.MIGRATION_PREPARE, prepareArgs(meta, false,
                    null, volumes).withSharedStorageProbe(probe), parts.timeouts().prepare());
            if (reply.payload().containsKey("prepared")) {
                // an abort is owed only for what it holds: nothing when it did not prepare
                prepareSent = reply.flag("prepared");
                return reply;
            }
            MigrationReply check = call("check", CommandName.MIGRATION_CHECK, new MigrationCheckArgs(parts.host(),
                    meta.flavor(), meta.imageId(), probe), parts.timeouts().check());
            Map<String, Object> answer = new LinkedHashMap<>(check.payload());
            answer.put("prepared", check.flag("shared_storage"));
            return MigrationReply.ok(answer);
        } finally {
            SharedStorageProbe.remove(marker);
        }
    }

    private MigrationPrepareArgs prepareArgs(InstanceMetadata meta, boolean block, Boolean start,
                                             List<DestinationVolume> volumes) {
        Path configDrive = parts.files().configDrive(uuid);
        // read-only disks are not mirrored: the destination needs the same drive before the move
        String drive = block && Files.isRegularFile(configDrive)
                ? Base64.getEncoder().encodeToString(readConfigDrive(configDrive)) : null;
        return new MigrationPrepareArgs(parts.host(), meta.name(), meta.flavor(), meta.imageId(), block,
                meta.flavor().rootBytes(), meta.userMetadata(), start, drive,
                Annotations.securityGroups(meta).orElse(null), leg == null ? null : leg.flavor(),
                volumes.isEmpty() ? null : prepareVolumes(volumes)).withArrivalNotice(arrival.id());
    }

    /** The destination volumes as {@code migration.prepare} carries them, with the controller's connection_info. */
    private List<MigrationVolumeArgs> prepareVolumes(List<DestinationVolume> volumes) {
        List<MigrationVolumeArgs> result = new ArrayList<>();
        for (DestinationVolume volume : volumes) {
            MigrateVolumeArgs given = Objects.requireNonNull(command.args().volumes()).stream()
                    .filter(v -> v.volumeId().equals(volume.volumeId())).findFirst().orElseThrow();
            result.add(new MigrationVolumeArgs(volume.volumeId(), volume.device(), given.connectionInfo(),
                    volume.secret().toString()));
        }
        return result;
    }

    /** The guest devices of the instance's volumes (all shared: {@link MigrateHandler} refused the others). */
    /** The destination's state directory, as its check answered (privately), else the same as here. */
    private Path destinationStateDir(MigrationReply check) {
        try {
            Path given = check.replyOnly("state_dir").map(Path::of).orElse(parts.stateDir());
            if (given.isAbsolute() && given.normalize().equals(given)) {
                return given;
            }
        } catch (InvalidPathException e) {
            // refused below
        }
        throw failed("check", "destination " + destination + " sent an unusable state directory", false);
    }

    private static byte[] readConfigDrive(Path configDrive) {
        try {
            return Files.readAllBytes(configDrive);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the config drive " + configDrive, e);
        }
    }

    private MigrationRequest withPathRewrite(MigrationRequest request, boolean shared, Path destinationStateDir) {
        // hosts laid out differently: the destination's definition must point at its own files
        return shared || destinationStateDir.equals(parts.stateDir()) ? request
                : request.withPathRewrite(parts.stateDir(), destinationStateDir);
    }

    /** @param start cold copy: boot it on arrival; null for a live migration */
    private MigrationReply adopt(Boolean start) {
        try {
            return call("adopt", CommandName.MIGRATION_ADOPT, new MigrationAdoptArgs(parts.host(), command.requestId(),
                    null, start, leg == null ? null : leg.adoptArgs()), parts.timeouts().adopt());
        } catch (CommandFailedException e) {
            // the guest runs there whatever its agent said: this host must let it go (a resize keeps its
            // old disks: the record says they are kept for the destination's confirm or revert)
            if (!shared && leg == null) {
                removeSourceFiles();
            }
            removeSourceFilter();
            throw new CommandFailedException(e.code(), e.getMessage() + "; the instance runs on " + destination
                    + ": send " + (leg == null ? "migrate" : "resize") + " again to have its agent adopt it", true, e);
        }
    }

    private void removeSourceFiles() {
        try {
            parts.files().delete(uuid);
        } catch (RuntimeException e) {
            log.warn("instance {} migrated, but its directory here could not be removed", uuid, e);
        }
    }

    /** The instance left with its filter made there by prepare: the one here would only linger. */
    private void removeSourceFilter() {
        if (Annotations.securityGroups(info.metadata()).isEmpty()) {
            return;
        }
        try {
            parts.groups().remove(uuid);
        } catch (RuntimeException e) {
            log.warn("instance {} migrated, but its security groups' filter here could not be removed", uuid, e);
        }
    }

    private MigrationReply call(String step, CommandName name, InternalArgs args, Duration timeout) {
        return call(step, "." + step, name, args, timeout);
    }

    /** @param suffix appended to the {@code migrate}'s request id: the step's request id */
    private MigrationReply call(String step, String suffix, CommandName name, InternalArgs args, Duration timeout) {
        MigrationReply reply;
        try {
            reply = parts.destinations().call(destination, name, StepRequestIds.of(command.requestId(), suffix), uuid,
                    args, timeout);
        } catch (DestinationUnreachableException e) {
            if (e.unknownHost() && name == CommandName.MIGRATION_PREPARE) {
                prepareSent = false; // it came back unrouted: nothing was prepared there to abort
            }
            throw failed(step, e.getMessage(), !e.unknownHost());
        }
        if (reply.failed()) {
            throw failed(step, "destination " + destination + " refused: " + reply.error().code() + ": "
                    + reply.error().message(), reply.error().retriable());
        }
        return reply;
    }

    /** A {@code migrate_abort} came before the transfer: stop here (the rollback undoes the rest). */
    private void stopIfCancelled() {
        if (running.cancelledBy().isPresent()) {
            throw failed("cancel", "cancelled", false);
        }
    }

    private void enterTransfer() {
        if (!running.enterTransfer()) {
            throw failed("cancel", "cancelled", false);
        }
    }

    /** The request id of the {@code migrate_abort} that cancelled this migration, if one did. */
    Optional<String> cancelled() {
        return moved ? Optional.empty() : running.cancelledBy();
    }

    /** Whether the instance left this host (by the hypervisor or handed over). */
    boolean moved() {
        return moved;
    }

    void rollBack(RuntimeException cause) {
        if (moved || postCopyFailed) {
            return;
        }
        if (leg != null) {
            leg.rolledBack(uuid);
        }
        if (prepareSent) {
            try {
                parts.destinations().call(destination, CommandName.MIGRATION_ABORT,
                        StepRequestIds.of(command.requestId(), ".abort"), uuid,
                        new MigrationAbortArgs(parts.host(), MigrateHandler.abbreviate(String.valueOf(cause.getMessage()))),
                        parts.timeouts().abort());
            } catch (RuntimeException e) {
                log.warn("could not tell {} to abort the migration of {}: {}", destination, uuid, e.toString());
            }
        }
        if (stopped && wasRunning) {
            try {
                parts.driver().start(uuid);
            } catch (RuntimeException e) {
                log.warn("could not start {} again after a failed cold migration", uuid, e);
            }
        }
        try {
            parts.store().find(uuid).ifPresent(i -> parts.store().record(uuid, Annotations.fromPower(i.powerState()), null));
        } catch (RuntimeException e) {
            log.warn("could not restore the state of {} after a failed migration", uuid, e);
        }
    }

    static CommandFailedException failed(String step, String reason, boolean retriable) {
        return new CommandFailedException(ErrorCode.MIGRATION_FAILED, "migration failed at step " + step + ": "
                + reason, retriable);
    }
}

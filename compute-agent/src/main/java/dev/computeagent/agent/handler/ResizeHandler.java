package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.ResizeArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.agent.state.ResizeRecord.Phase;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.Gib;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code resize} on this host, Nova's first phase: the instance gets the new flavor (memory, vCPUs, a
 * larger root disk, the new flavor's ephemeral disk, empty) and comes back in its power state as
 * {@code RESIZED}, waiting for {@code confirm_resize} or {@code revert_resize}. Its attached volumes stay
 * attached, on their devices (refused, {@code INVALID_STATE}, when the new flavor's ephemeral disk needs the
 * device of one). Until then its old root
 * overlay (a copy: the overlay alone, on the same base) and old ephemeral disk are kept in its directory
 * ({@link ResizeFiles}) so that a revert brings it back exactly as it was.
 *
 * <p>Refused, nothing changed: an instance with a resize waiting ({@code INVALID_STATE}; the states it may be
 * resized in are {@link dev.computeagent.agent.state.InstanceStateMachine}'s); the same flavor or a smaller
 * root disk (it only grows) ({@code INVALID_COMMAND}).
 * The new size must fit on this host as a spawn must ({@link HostCapacity}: the new memory and vCPUs in
 * place of the old, the root disk's growth, the copy of the overlay and the new ephemeral disk), else
 * {@code INSUFFICIENT_RESOURCES}. The guest is shut down as {@code stop} does ({@code timeout_s}).
 *
 * <p>Any failure after the first change rolls the instance back to its old size and power state
 * ({@link ResizeCompletion#revert}); a crash (the {@link ResizeRecord} stays in phase
 * {@code RESIZING}) is finished or rolled back by start-up recovery ({@link ResizeRecovery}). A resize
 * re-sent after it finished is answered with the instance as it is.
 *
 * <p>With {@code args.destination} naming another agent the resize is a cold migration with the new flavor
 * ({@link ResizeAcrossHosts}): the same refusals here first, then the destination checks and holds the new
 * size's capacity as a spawn's and ends owning the instance {@code RESIZED}; this host keeps the old disks
 * and definition (undefined, never running) until {@code confirm_resize} or {@code revert_resize}, which go
 * to the destination. A resize re-sent after its instance left (the first run was cut after the move) asks
 * the destination to adopt it again.
 */
public final class ResizeHandler implements CommandHandler<ResizeArgs> {

    private static final Logger log = LoggerFactory.getLogger(ResizeHandler.class);

    private final ComputeDriver driver;
    private final ImageCache images;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final ResizeFiles resizeFiles;
    private final InstanceProvisioner provisioner;
    private final HostCapacity capacity;
    private final ResizeCompletion completion;
    private final ResizeAcrossHosts acrossHosts;

    public ResizeHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                         ResizeFiles resizeFiles, InstanceProvisioner provisioner, HostCapacity capacity,
                         ResizeCompletion completion, ResizeAcrossHosts acrossHosts) {
        this.acrossHosts = acrossHosts;
        this.driver = driver;
        this.images = images;
        this.store = store;
        this.files = files;
        this.resizeFiles = resizeFiles;
        this.provisioner = provisioner;
        this.capacity = capacity;
        this.completion = completion;
    }

    @Override
    public CommandName command() {
        return CommandName.RESIZE;
    }

    @Override
    public Outcome handle(Command<ResizeArgs> command) {
        UUID uuid = command.instanceUuid();
        Flavor flavor = command.args().flavor();
        Optional<ResizeRecord> pending = resizeFiles.record(uuid);
        if (pending.isPresent() && pending.get().leftForAnotherHost() && store.find(uuid).isEmpty()) {
            return leftEarlier(command, pending.get());
        }
        InstanceInfo info = driver.info(uuid);
        if (pending.isPresent()) {
            ResizeRecord record = pending.get();
            if (record.phase() == Phase.RESIZED && record.requestId().equals(command.requestId())) {
                return Outcome.of(store.track(info));
            }
            throw new CommandFailedException(ErrorCode.INVALID_STATE, "instance " + uuid + " has a resize ("
                    + record.phase() + ") waiting for confirm_resize or revert_resize", false);
        }
        Flavor old = info.metadata().flavor();
        // the attached volumes stay on their devices; a new ephemeral disk must not need one of them
        Redefinitions.requireVolumeDevicesFree(info, provisioner.disks(uuid, flavor), "resized");
        if (flavor.equals(old)) {
            throw refused("args.flavor is the flavor instance " + uuid + " has already");
        }
        long rootNow = images.diskVirtualSize(files.disk(uuid));
        long rootNew = flavor.rootGb() == 0 && old.rootGb() == 0 ? rootNow : flavor.rootBytes();
        if (rootNew < rootNow) {
            throw refused("the root disk can only grow: args.flavor.root_gb " + flavor.rootGb() + " is below the "
                    + Gib.of(rootNow) + " GiB of instance " + uuid + "'s root disk");
        }
        if (command.args().destination() != null) {
            boolean wasRunning = info.powerState() == PowerState.RUNNING || info.powerState() == PowerState.PAUSED;
            return acrossHosts.resize(command, info, new ResizeRecord(Phase.RESIZING, old, flavor, wasRunning,
                    command.requestId()));
        }
        capacity.reserve(uuid, new HostCapacity.Need(flavor.vcpus(), flavor.memoryMb(),
                Math.addExact(rootNew - rootNow, overlayBytes(uuid)), flavor.ephemeralBytes()));
        try {
            return resize(command, info, rootNow, rootNew);
        } finally {
            capacity.release(uuid);
        }
    }

    private Outcome resize(Command<ResizeArgs> command, InstanceInfo info, long rootNow, long rootNew) {
        UUID uuid = command.instanceUuid();
        Flavor flavor = command.args().flavor();
        boolean wasRunning = info.powerState() == PowerState.RUNNING || info.powerState() == PowerState.PAUSED;
        ResizeRecord record = new ResizeRecord(Phase.RESIZING, info.metadata().flavor(), flavor, wasRunning,
                command.requestId());
        resizeFiles.write(uuid, record);
        try {
            driver.stop(uuid, command.args().shutdownTimeout());
            resizeFiles.keepOldDisks(uuid);
            if (rootNew > rootNow) {
                images.growDisk(files.disk(uuid), rootNew);
            }
            if (flavor.ephemeralGb() > 0) {
                images.createBlankDisk(files.ephemeralDisk(uuid), flavor.ephemeralBytes());
            }
            driver.redefine(uuid, flavor, provisioner.disks(uuid, flavor),
                    Annotations.with(driver.info(uuid).metadata().annotations(), InstanceState.RESIZED, null));
            if (wasRunning) {
                driver.start(uuid);
                GuestBoot.awaitRunning(driver, uuid);
            }
            resizeFiles.write(uuid, record.in(Phase.RESIZED, command.requestId()));
            return Outcome.of(store.record(uuid, InstanceState.RESIZED, null));
        } catch (RuntimeException | Error e) {
            rollBack(uuid, record, e);
            throw e;
        }
    }

    /**
     * The instance left this host by a resize to another host: the same resize re-sent is answered (or, cut
     * after the move, finished by asking the destination to adopt it again); anything else goes there.
     */
    private Outcome leftEarlier(Command<ResizeArgs> command, ResizeRecord record) {
        if (!record.requestId().equals(command.requestId())) {
            throw new CommandFailedException(ErrorCode.INVALID_STATE, "instance " + command.instanceUuid()
                    + " was resized to " + record.destination() + ", which owns it now; confirm_resize or "
                    + "revert_resize goes there", false);
        }
        return acrossHosts.resume(command, record);
    }

    /** A failed resize ends as a revert; when even that fails the record stays for recovery or revert_resize. */
    private void rollBack(UUID uuid, ResizeRecord record, Throwable failure) {
        try {
            completion.revert(uuid, record);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
            log.error("resize of {} failed and could not be rolled back; revert_resize or a restart finishes it", uuid, e);
            try {
                store.noteError(uuid, "resize failed (" + ErrorMapper.toError(failure).message()
                        + ") and could not be rolled back; revert_resize retries");
            } catch (RuntimeException noted) {
                failure.addSuppressed(noted);
            }
        }
    }

    /** What the copy of the root overlay takes on disk while the resize waits. */
    private long overlayBytes(UUID uuid) {
        try {
            return Files.size(files.disk(uuid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of the root disk of " + uuid, e);
        }
    }

    private static CommandFailedException refused(String message) {
        return new CommandFailedException(ErrorCode.INVALID_COMMAND, message, false);
    }
}

package dev.computeagent.agent.handler;

import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.agent.state.ResizeRecord.Phase;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerState;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up recovery of a resize the previous agent left unfinished (its {@link ResizeRecord} tells how
 * far it came): a resize cut before its new definition was in place is rolled back (the redelivered
 * {@code resize} starts over), one cut after it is finished (the guest started again when it ran before,
 * {@code RESIZED}); a revert or a confirmation under way is finished. A resize waiting for its
 * confirmation is left waiting. What cannot be finished keeps its state with {@code last_error} saying why;
 * the record stays, so {@code revert_resize} can finish it later.
 *
 * <p>A resize to another host: on its destination an arrival cut before it was resized is finished
 * ({@link ResizeArrival}), a confirmation or revert under way is finished with the source
 * ({@link MovedResizeEnd}). On its source the instance is here only when the move did not happen (the
 * resize is rolled back as one on this host would be) or when a revert defined it here again (that
 * revert is finished: the record goes). Directories the instance left stay untouched until the
 * destination confirms or reverts.
 */
public final class ResizeRecovery {

    private static final Logger log = LoggerFactory.getLogger(ResizeRecovery.class);

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final ResizeFiles resizeFiles;
    private final ResizeCompletion completion;
    private final ResizeArrival arrival;
    private final MovedResizeEnd moved;

    public ResizeRecovery(ComputeDriver driver, InstanceStore store, ResizeFiles resizeFiles,
                          ResizeCompletion completion, ResizeArrival arrival, MovedResizeEnd moved) {
        this.arrival = arrival;
        this.moved = moved;
        this.driver = driver;
        this.store = store;
        this.resizeFiles = resizeFiles;
        this.completion = completion;
    }

    /**
     * Whether the directory of {@code uuid}, which has no domain here, is what this host keeps for a resize
     * to another host (old disks and definition, waiting for the destination's confirm or revert).
     */
    public boolean keptForAnotherHost(UUID uuid) {
        try {
            return resizeFiles.record(uuid).map(ResizeRecord::leftForAnotherHost).orElse(false);
        } catch (RuntimeException e) {
            log.warn("the resize record of {} cannot be read", uuid, e);
            return false;
        }
    }

    /** Recovers the resize of {@code info}'s instance, if it has one; returns whether it had one. */
    public boolean recover(InstanceInfo info) {
        UUID uuid = info.uuid();
        Optional<ResizeRecord> pending = resizeFiles.record(uuid);
        if (pending.isEmpty()) {
            return false;
        }
        ResizeRecord record = pending.get();
        try {
            if (record.arrivedFromAnotherHost()) {
                recoverArrival(uuid, record);
                return true;
            }
            if (record.leftForAnotherHost() && record.phase() != Phase.RESIZING) {
                finishTakeBack(info, record);
                return true;
            }
            switch (record.phase()) {
                case RESIZING -> {
                    if (info.metadata().flavor().equals(record.newFlavor())) {
                        finishResize(info, record);
                    } else {
                        log.info("rolling back the resize of {} cut by an agent restart", uuid);
                        completion.revert(uuid, record);
                    }
                }
                case RESIZED -> store.track(info);
                case REVERTING -> completion.revert(uuid, record);
                case CONFIRMING -> completion.confirm(uuid, record);
            }
        } catch (RuntimeException e) {
            log.warn("interrupted resize of {} ({}) cannot be finished", uuid, record.phase(), e);
            store.noteError(uuid, "interrupted resize could not be finished ("
                    + ErrorMapper.toError(e).message() + "); revert_resize retries");
        }
        return true;
    }

    private void recoverArrival(UUID uuid, ResizeRecord record) {
        switch (record.phase()) {
            case RESIZING -> arrival.finish(uuid, record);
            case RESIZED -> store.track(driver.info(uuid));
            case CONFIRMING -> moved.confirm(uuid, record);
            case REVERTING -> moved.revert(uuid, record);
        }
    }

    /** The destination's revert defined the instance here again and was cut before the record went. */
    private void finishTakeBack(InstanceInfo info, ResizeRecord record) {
        UUID uuid = info.uuid();
        if (record.wasRunning() && info.powerState() != PowerState.RUNNING) {
            driver.start(uuid);
            GuestBoot.awaitRunning(driver, uuid);
        }
        resizeFiles.finish(uuid);
        store.record(uuid, Annotations.fromPower(driver.info(uuid).powerState()), null);
        log.info("finished taking back {} from {} after an agent restart", uuid, record.destination());
    }

    private void finishResize(InstanceInfo info, ResizeRecord record) {
        UUID uuid = info.uuid();
        if (record.wasRunning() && info.powerState() != PowerState.RUNNING) {
            driver.start(uuid);
            GuestBoot.awaitRunning(driver, uuid);
        }
        resizeFiles.write(uuid, record.in(Phase.RESIZED, record.requestId()));
        store.record(uuid, InstanceState.RESIZED, null);
        log.info("finished the resize of {} cut by an agent restart", uuid);
    }
}

package dev.computeagent.agent.handler;

import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.RebuildFiles;
import dev.computeagent.agent.state.RebuildRecord;
import dev.computeagent.virt.InstanceInfo;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up recovery of a rebuild the previous agent left unfinished (its {@link RebuildRecord} tells how far it
 * came): one cut while its new disks were made is rolled back (the instance was not touched; the redelivered
 * {@code rebuild} starts over), one cut after they were complete is finished ({@link RebuildCompletion}; the
 * guest, being replaced, is forced off at once). What cannot be finished keeps its record and gets
 * {@code last_error}; the same {@code rebuild} again, or the next start-up, retries.
 */
public final class RebuildRecovery {

    private static final Logger log = LoggerFactory.getLogger(RebuildRecovery.class);

    private final InstanceStore store;
    private final RebuildFiles rebuildFiles;
    private final RebuildCompletion completion;

    public RebuildRecovery(InstanceStore store, RebuildFiles rebuildFiles, RebuildCompletion completion) {
        this.store = store;
        this.rebuildFiles = rebuildFiles;
        this.completion = completion;
    }

    /**
     * Recovers the rebuild of {@code info}'s instance, if it has one; returns whether the instance is dealt with
     * (a finished rebuild), false when the rest of the reconciliation is to look at it (none, or rolled back).
     */
    public boolean recover(InstanceInfo info) {
        UUID uuid = info.uuid();
        Optional<RebuildRecord> pending = rebuildFiles.record(uuid);
        if (pending.isEmpty()) {
            return false;
        }
        RebuildRecord record = pending.get();
        if (record.phase() == RebuildRecord.Phase.PREPARING) {
            // the instance was not touched: the rest of the reconciliation treats it as any other
            rebuildFiles.rollBack(uuid);
            log.info("rolled back the rebuild of {} cut by an agent restart", uuid);
            return false;
        }
        try {
            completion.complete(uuid, record, Duration.ZERO);
            log.info("finished the rebuild of {} cut by an agent restart", uuid);
        } catch (RuntimeException e) {
            log.warn("interrupted rebuild of {} ({}) cannot be finished", uuid, record.phase(), e);
            store.noteError(uuid, "interrupted rebuild could not be finished (" + ErrorMapper.toError(e).message()
                    + "); the same rebuild or a restart retries");
        }
        return true;
    }
}

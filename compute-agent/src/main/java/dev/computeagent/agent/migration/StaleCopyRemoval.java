package dev.computeagent.agent.migration;

import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the stale copies of instances this host let go. After a post-copy migration that failed here and that
 * the destination took over, this host's copy is stale for good, but libvirt 9.0 keeps its failed migration job,
 * which blocks the undefine (30 s on its state-change lock per try) until libvirtd restarts. So this host lets go
 * of it at once ({@link OwnedInstancesDriver#release}: never listed, found or changed again, durably) and tries the
 * removal on a thread of its own: right away, after every reconnect of the hypervisor and at start-up (the
 * {@code migrate} is answered without waiting for it).
 */
public final class StaleCopyRemoval implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StaleCopyRemoval.class);

    private final OwnedInstancesDriver ownership;
    private final ExecutorService worker;

    /** {@code worker}: the thread the removals run on (closed with this). */
    public StaleCopyRemoval(OwnedInstancesDriver ownership, ExecutorService worker) {
        this.ownership = ownership;
        this.worker = worker;
    }

    /**
     * Lets go of {@code uuid} and tries to remove its stale copy in the background.
     *
     * @throws java.io.UncheckedIOException the release could not be recorded (the instance stays this host's)
     */
    public void release(UUID uuid) {
        ownership.release(uuid);
        removeAllSoon();
    }

    /** Tries, in the background, to remove every released stale copy. */
    public void removeAllSoon() {
        try {
            worker.execute(this::removeAll);
        } catch (RejectedExecutionException closing) {
            // shutting down: start-up tries again
        }
    }

    private void removeAll() {
        try {
            ownership.removeReleased();
        } catch (RuntimeException e) {
            log.error("the removal of released stale copies failed; it is tried again after the next reconnect and at "
                    + "start-up", e);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}

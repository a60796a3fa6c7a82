package dev.computeagent.agent.migration;

import dev.computeagent.agent.message.MigrationProgressPayload;
import dev.computeagent.virt.migration.MigrationListener;
import dev.computeagent.virt.migration.MigrationProgress;
import java.time.Duration;
import java.util.UUID;

/**
 * One outgoing migration's progress, from the driver's samples to the board and the events. The
 * hypervisor re-estimates the total as the guest dirties memory, so its own percentage can drop
 * (KubeVirt #1609): the reported one is the highest so far. Fed by the migrating thread only.
 */
final class ProgressTracker implements MigrationListener, AutoCloseable {

    private final MigrationProgressReporting reporting;
    private final UUID uuid;
    private final String requestId;
    private final String destination;
    private int highestPercent;
    private MigrationProgress.Phase lastPhase = MigrationProgress.Phase.SETUP;
    private Duration lastEvent;

    ProgressTracker(MigrationProgressReporting reporting, UUID uuid, String requestId, String destination) {
        this.reporting = reporting;
        this.uuid = uuid;
        this.requestId = requestId;
        this.destination = destination;
    }

    @Override
    public void onProgress(MigrationProgress progress) {
        highestPercent = Math.max(highestPercent, progress.percent());
        lastPhase = progress.phase();
        MigrationProgressPayload payload = payload(progress);
        reporting.board().show(uuid, payload);
        if (lastEvent == null || progress.elapsed().minus(lastEvent).compareTo(reporting.eventInterval()) >= 0) {
            lastEvent = progress.elapsed();
            reporting.events().publish(uuid, requestId, payload);
        }
    }

    private MigrationProgressPayload payload(MigrationProgress progress) {
        return new MigrationProgressPayload(destination, progress.phase().name(), highestPercent,
                progress.elapsed().toMillis(), progress.memory().total(), progress.memory().processed(),
                progress.memory().remaining(), progress.dirtyRateBytesPerSecond(), progress.memoryIteration(),
                progress.downtimeLimit().toMillis(), progress.disk().total(), progress.disk().processed(),
                progress.disk().remaining(), progress.cpuThrottlePercent());
    }

    /**
     * The phase a completed migration ended in: {@code POST_COPY} once it switched to post-copy (there is no
     * way back), {@code AUTO_CONVERGE} when the guest was throttled at the last sample, else
     * {@code MEMORY_COPY} (memory is always copied last; an unsampled migration too).
     */
    String completedIn() {
        return lastPhase == MigrationProgress.Phase.AUTO_CONVERGE || lastPhase == MigrationProgress.Phase.POST_COPY
                ? lastPhase.name() : MigrationProgress.Phase.MEMORY_COPY.name();
    }

    /** The migration ended: nothing more to show. */
    @Override
    public void close() {
        reporting.board().clear(uuid);
    }
}

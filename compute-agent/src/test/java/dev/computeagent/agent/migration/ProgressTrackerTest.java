package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.message.MigrationProgressPayload;
import dev.computeagent.agent.state.MigrationProgressBoard;
import dev.computeagent.virt.migration.MigrationProgress;
import dev.computeagent.virt.migration.MigrationProgress.Phase;
import dev.computeagent.virt.migration.MigrationProgress.Transfer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** From the driver's samples to the REST board and the throttled, never-receding progress events. */
class ProgressTrackerTest {

    private final UUID uuid = UUID.randomUUID();
    private final MigrationProgressBoard board = new MigrationProgressBoard();
    private final List<MigrationProgressPayload> events = new ArrayList<>();
    private final MigrationProgressReporting reporting = new MigrationProgressReporting(board,
            (u, requestId, progress) -> {
                assertThat(u).isEqualTo(uuid);
                assertThat(requestId).isEqualTo("req-1");
                events.add(progress);
            }, Duration.ofSeconds(2));

    @Test
    void thePercentageNeverGoesBackWhenTheGuestDirtiesMoreMemory() {
        try (ProgressTracker tracker = reporting.track(uuid, "req-1", "node-8")) {
            tracker.onProgress(sample(0, 100, 60));
            // the guest dirtied memory: the hypervisor's total grew, its own percentage dropped to 50
            tracker.onProgress(sample(2000, 140, 70));
            tracker.onProgress(sample(4000, 140, 126));

            assertThat(events).extracting(MigrationProgressPayload::percent).containsExactly(60, 60, 90);
        }
    }

    @Test
    void eventsComeAtMostOncePerIntervalWhileTheBoardHasEverySample() {
        try (ProgressTracker tracker = reporting.track(uuid, "req-1", "node-8")) {
            tracker.onProgress(sample(0, 100, 10));
            tracker.onProgress(sample(500, 100, 20));
            tracker.onProgress(sample(1999, 100, 30));
            assertThat(board.find(uuid)).hasValueSatisfying(p -> assertThat(p.percent()).isEqualTo(30));
            tracker.onProgress(sample(2000, 100, 40));

            assertThat(events).extracting(MigrationProgressPayload::elapsedMs).containsExactly(0L, 2000L);
        }
        assertThat(board.find(uuid)).as("gone once the migration ended").isEmpty();
    }

    @Test
    void thePayloadCarriesTheSampleBreakdown() {
        try (ProgressTracker tracker = reporting.track(uuid, "req-1", "node-8")) {
            tracker.onProgress(new MigrationProgress(Duration.ofMillis(1500), 300, 250, 50, 3, Duration.ofMillis(400),
                    Phase.AUTO_CONVERGE, new Transfer(100, 50, 50), 8192, new Transfer(200, 200, 0), 30));
        }

        assertThat(events).containsExactly(new MigrationProgressPayload("node-8", "AUTO_CONVERGE", 83, 1500, 100, 50,
                50, 8192, 3, 400, 200, 200, 0, 30));
    }

    @Test
    void aMigrationEndsInTheAutoConvergePhaseOnlyWhenItsLastSampleWasThrottled() {
        try (ProgressTracker tracker = reporting.track(uuid, "req-1", "node-8")) {
            assertThat(tracker.completedIn()).as("never sampled").isEqualTo("MEMORY_COPY");
            tracker.onProgress(new MigrationProgress(Duration.ofMillis(1500), 300, 250, 50, 3, Duration.ofMillis(400),
                    Phase.AUTO_CONVERGE, new Transfer(100, 50, 50), 8192, Transfer.NONE, 30));
            assertThat(tracker.completedIn()).isEqualTo("AUTO_CONVERGE");
            tracker.onProgress(new MigrationProgress(Duration.ofMillis(3000), 300, 280, 20, 4, Duration.ofMillis(400),
                    Phase.DISK_COPY, Transfer.NONE, 0, new Transfer(100, 80, 20), 0));
            assertThat(tracker.completedIn()).as("memory is copied last").isEqualTo("MEMORY_COPY");
        }
    }

    @Test
    void aMigrationThatSwitchedToPostCopyEndsInPostCopy() {
        try (ProgressTracker tracker = reporting.track(uuid, "req-1", "node-8")) {
            tracker.onProgress(new MigrationProgress(Duration.ofMillis(1500), 300, 250, 50, 3, Duration.ofMillis(400),
                    Phase.POST_COPY, new Transfer(100, 50, 50), 8192, Transfer.NONE, 0));

            assertThat(tracker.completedIn()).isEqualTo("POST_COPY");
        }
        assertThat(events).extracting(MigrationProgressPayload::phase).containsExactly("POST_COPY");
    }

    private static MigrationProgress sample(long elapsedMs, long total, long processed) {
        return new MigrationProgress(Duration.ofMillis(elapsedMs), total, processed, total - processed, 1,
                Duration.ofMillis(300));
    }
}

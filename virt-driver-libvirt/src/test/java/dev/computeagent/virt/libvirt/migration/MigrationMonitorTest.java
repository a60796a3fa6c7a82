package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.libvirt.binding.MigrationJobStats;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import dev.computeagent.virt.migration.MigrationListener;
import dev.computeagent.virt.migration.MigrationProgress;
import dev.computeagent.virt.migration.MigrationResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The monitor against a scripted job: no hypervisor, real time with short intervals. */
class MigrationMonitorTest {

    private static final Duration POLL = Duration.ofMillis(10);
    private static final Duration LONG = Duration.ofMinutes(5);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final CompletableFuture<Void> transfer = new CompletableFuture<>();
    private final FakeJob job = new FakeJob();
    private final List<MigrationProgress> progress = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aCompletedTransferIsASuccessWithTheLastSampledBytes() {
        job.processed.set(4096);
        job.completeAfterSamples(3, transfer);

        MigrationResult result = monitor(LONG, LONG, schedule(LONG)).watch(transfer, System.nanoTime(), ms(50));

        assertThat(result.bytesTransferred()).isEqualTo(job.processed.get()).isGreaterThan(4096);
        assertThat(result.samples()).isEqualTo(3).isEqualTo(progress.size());
        assertThat(progress).extracting(MigrationProgress::dataProcessed).isSorted();
        assertThat(result.finalDowntimeLimit()).isEqualTo(ms(50));
        assertThat(job.aborts).hasValue(0);
    }

    @Test
    void aSampleCarriesTheBreakdownAndThePhaseOfTheJob() {
        MigrationJobStats.Bytes none = MigrationJobStats.Bytes.NONE;
        MigrationJobStats setup = new MigrationJobStats(true, false, 5, 0, 0, 0, 0, -1, none, 0, none, 0);
        MigrationJobStats disks = new MigrationJobStats(true, false, 5, 300, 100, 200, 0, -1,
                new MigrationJobStats.Bytes(100, 0, 100), 0, new MigrationJobStats.Bytes(200, 100, 100), 0);
        MigrationJobStats memory = new MigrationJobStats(true, false, 5, 300, 250, 50, 2, -1,
                new MigrationJobStats.Bytes(100, 50, 50), 8192, new MigrationJobStats.Bytes(200, 200, 0), 0);
        MigrationJobStats throttled = new MigrationJobStats(true, false, 5, 300, 250, 50, 3, -1,
                new MigrationJobStats.Bytes(100, 50, 50), 8192, new MigrationJobStats.Bytes(200, 200, 0), 40);

        assertThat(MigrationMonitor.progress(ms(5), setup, ms(50)).phase()).isEqualTo(MigrationProgress.Phase.SETUP);
        assertThat(MigrationMonitor.progress(ms(5), disks, ms(50)).phase()).isEqualTo(MigrationProgress.Phase.DISK_COPY);
        MigrationProgress copying = MigrationMonitor.progress(ms(5), memory, ms(50));
        assertThat(copying.phase()).isEqualTo(MigrationProgress.Phase.MEMORY_COPY);
        assertThat(copying.memory()).isEqualTo(new MigrationProgress.Transfer(100, 50, 50));
        assertThat(copying.disk()).isEqualTo(new MigrationProgress.Transfer(200, 200, 0));
        assertThat(copying.dirtyRateBytesPerSecond()).isEqualTo(8192);
        assertThat(copying.memoryIteration()).isEqualTo(2);
        assertThat(copying.percent()).isEqualTo(83);
        MigrationProgress slowed = MigrationMonitor.progress(ms(5), throttled, ms(50));
        assertThat(slowed.phase()).isEqualTo(MigrationProgress.Phase.AUTO_CONVERGE);
        assertThat(slowed.cpuThrottlePercent()).isEqualTo(40);
    }

    @Test
    void passingTheCompletionTimeoutAbortsTheJob() {
        job.abortFails(transfer);

        assertThatThrownBy(() -> monitor(ms(30), LONG, schedule(LONG)).watch(transfer, System.nanoTime(), ms(50)))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.MONITOR);
                    assertThat(e.reason()).isEqualTo(Reason.TIMED_OUT);
                });
        assertThat(job.aborts).hasValue(1);
    }

    @Test
    void theTimeoutIsEnforcedEvenBeforeTheFirstSample() {
        job.abortFails(transfer);
        MigrationMonitor late = new MigrationMonitor("test", job, POLL, LONG, ms(30), schedule(LONG), LONG,
                progress::add);

        assertThatThrownBy(() -> late.watch(transfer, System.nanoTime(), ms(50)))
                .isInstanceOfSatisfying(MigrationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TIMED_OUT));
        assertThat(job.samples.get()).isZero();
        assertThat(progress).isEmpty();
    }

    @Test
    void noProgressForTheStallWindowAbortsTheJob() {
        job.processed.set(100);
        job.remaining.set(1000);
        job.abortFails(transfer);

        assertThatThrownBy(() -> monitor(LONG, ms(60), schedule(LONG)).watch(transfer, System.nanoTime(), ms(50)))
                .isInstanceOfSatisfying(MigrationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.STALLED));
        assertThat(job.aborts).hasValue(1);
    }

    @Test
    void aTransferThatCompletesDespiteTheAbortIsASuccess() {
        job.onAbort = () -> transfer.complete(null);

        MigrationResult result = monitor(ms(20), LONG, schedule(LONG)).watch(transfer, System.nanoTime(), ms(50));

        assertThat(result.wallTime()).isPositive();
        assertThat(job.aborts).hasValue(1);
    }

    @Test
    void aFailedTransferKeepsItsTypedReason() {
        timer.schedule(() -> transfer.completeExceptionally(new MigrationException(Step.TRANSFER,
                Reason.DESTINATION_UNREACHABLE, "connection refused", null)), 30, TimeUnit.MILLISECONDS);

        assertThatThrownBy(() -> monitor(LONG, LONG, schedule(LONG)).watch(transfer, System.nanoTime(), ms(50)))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.TRANSFER);
                    assertThat(e.reason()).isEqualTo(Reason.DESTINATION_UNREACHABLE);
                });
        assertThat(job.aborts).hasValue(0);
    }

    @Test
    void theDowntimeLimitRisesStepByStepToTheMaximum() {
        DowntimeSchedule schedule = new DowntimeSchedule(ms(50), ms(100), 2, ms(30));
        CompletableFuture<MigrationResult> watching = CompletableFuture.supplyAsync(
                () -> monitor(LONG, LONG, schedule).watch(transfer, System.nanoTime(), ms(50)));

        await().atMost(Duration.ofSeconds(5)).until(() -> job.downtimes.contains(ms(100)));
        transfer.complete(null);

        assertThat(job.downtimes).containsExactly(ms(75), ms(100));
        assertThat(watching.join().finalDowntimeLimit()).isEqualTo(ms(100));
    }

    @Test
    void samplesOfADomainThatAlreadyLeftAreIgnored() {
        job.gone = true;
        timer.schedule(() -> transfer.complete(null), 50, TimeUnit.MILLISECONDS);

        MigrationResult result = monitor(LONG, LONG, schedule(LONG)).watch(transfer, System.nanoTime(), ms(50));

        assertThat(result.samples()).isZero();
    }

    @Test
    void aFailingListenerNeverAbortsTheMigration() {
        MigrationListener broken = p -> {
            throw new IllegalStateException("listener bug");
        };
        job.completeAfterSamples(2, transfer);

        MigrationResult result = new MigrationMonitor("test", job, POLL, Duration.ZERO, LONG, schedule(LONG), LONG, broken)
                .watch(transfer, System.nanoTime(), ms(50));

        assertThat(result.samples()).isEqualTo(2);
    }

    @Test
    void aBusyGuestThatStopsConvergingIsSwitchedToPostCopyWhenPermitted() {
        job.busy = true;
        job.onPostCopy = () -> job.completeAfterSamples(job.samples.get() + 2, transfer);

        MigrationResult result = postCopyMonitor(LONG, LONG, ms(50)).watch(transfer, System.nanoTime(), ms(50));

        assertThat(result.postCopy()).isTrue();
        assertThat(job.postCopies).hasValue(1);
        assertThat(job.aborts).hasValue(0);
        assertThat(progress.get(progress.size() - 1).phase()).isEqualTo(MigrationProgress.Phase.POST_COPY);
        assertThat(progress).extracting(MigrationProgress::phase).contains(MigrationProgress.Phase.MEMORY_COPY);
    }

    @Test
    void aBusyGuestIsNeverSwitchedToPostCopyWithoutPermission() {
        job.busy = true;
        job.abortFails(transfer);

        assertThatThrownBy(() -> monitor(ms(300), LONG, schedule(LONG)).watch(transfer, System.nanoTime(), ms(50)))
                .isInstanceOfSatisfying(MigrationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMED_OUT));
        assertThat(job.postCopies).hasValue(0);
        assertThat(progress).isNotEmpty().allSatisfy(
                p -> assertThat(p.phase()).isEqualTo(MigrationProgress.Phase.MEMORY_COPY));
    }

    @Test
    void theCompletionTimeoutSwitchesToPostCopyInsteadOfAbortingWhenPermitted() {
        job.onPostCopy = () -> timer.schedule(() -> transfer.complete(null), 30, TimeUnit.MILLISECONDS);

        MigrationResult result = postCopyMonitor(ms(40), LONG, LONG).watch(transfer, System.nanoTime(), ms(50));

        assertThat(result.postCopy()).isTrue();
        assertThat(job.aborts).hasValue(0);
    }

    @Test
    void aStallSwitchesToPostCopyInsteadOfAbortingWhenPermitted() {
        job.processed.set(100);
        job.remaining.set(1000);
        job.onPostCopy = () -> timer.schedule(() -> transfer.complete(null), 30, TimeUnit.MILLISECONDS);

        MigrationResult result = postCopyMonitor(LONG, ms(60), LONG).watch(transfer, System.nanoTime(), ms(50));

        assertThat(result.postCopy()).isTrue();
        assertThat(job.aborts).hasValue(0);
    }

    @Test
    void aTransferFailingAfterTheSwitchIsAPostCopyFailureNeverRetriedNorAborted() {
        job.busy = true;
        job.onPostCopy = () -> timer.schedule(() -> transfer.completeExceptionally(new MigrationException(Step.TRANSFER,
                Reason.DESTINATION_UNREACHABLE, "connection reset by peer", null)), 30, TimeUnit.MILLISECONDS);

        // a completion timeout passing during post-copy must not abort either
        assertThatThrownBy(() -> postCopyMonitor(ms(200), LONG, ms(50)).watch(transfer, System.nanoTime(), ms(50)))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.POST_COPY_FAILED);
                    assertThat(e.sourceStillRunning()).isFalse();
                    assertThat(e.retriable()).isFalse();
                });
        assertThat(job.aborts).hasValue(0);
    }

    @Test
    void aTransferCallThatOutlivesItsSourceQemuDuringPostCopyIsGivenUpAfterTheGrace() {
        job.busy = true;
        job.onPostCopy = () -> timer.schedule(() -> job.sourceEnded = true, 30, TimeUnit.MILLISECONDS);

        long start = System.nanoTime();
        assertThatThrownBy(() -> postCopyMonitor(ms(40), LONG, LONG).givingUpOnAnEndedSourceAfter(ms(200))
                .watch(transfer, start, ms(50)))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.POST_COPY_FAILED);
                    assertThat(e.sourceStillRunning()).isFalse();
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.getMessage()).contains("QEMU ended during post-copy");
                });
        assertThat(transfer).as("the call itself is left running").isNotDone();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(ms(200));
        assertThat(job.aborts).hasValue(0);
        int samples = job.samples.get();
        assertThat(job.samplesWhenSourceEnded.get()).as("no job query once the source ended")
                .isGreaterThanOrEqualTo(samples - 1);
    }

    @Test
    void aSourceQemuSeenStoppedOnlyForAMomentIsNotGivenUp() {
        job.onPostCopy = () -> {
            job.sourceEnded = true;
            timer.schedule(() -> job.sourceEnded = false, 50, TimeUnit.MILLISECONDS);
            timer.schedule(() -> transfer.complete(null), 400, TimeUnit.MILLISECONDS);
        };

        MigrationResult result = postCopyMonitor(ms(40), LONG, LONG).givingUpOnAnEndedSourceAfter(ms(200))
                .watch(transfer, System.nanoTime(), ms(50));

        assertThat(result.postCopy()).isTrue();
    }

    @Test
    void anEndedSourceBeforeTheSwitchIsLeftToTheTransferAndTheTimeout() {
        job.sourceEnded = true;
        timer.schedule(() -> transfer.complete(null), 300, TimeUnit.MILLISECONDS);

        MigrationResult result = monitor(LONG, LONG, schedule(LONG)).givingUpOnAnEndedSourceAfter(ms(20))
                .watch(transfer, System.nanoTime(), ms(50));

        assertThat(result.postCopy()).isFalse();
    }

    @Test
    void aRefusedSwitchFallsBackToTheAbort() {
        job.refusePostCopy = true;
        job.abortFails(transfer);

        assertThatThrownBy(() -> postCopyMonitor(ms(40), LONG, LONG).watch(transfer, System.nanoTime(), ms(50)))
                .isInstanceOfSatisfying(MigrationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMED_OUT));
        assertThat(job.postCopies).hasValue(1);
        assertThat(job.aborts).hasValue(1);
    }

    @Test
    void aRefusedSwitchIsNotAskedAgainEverySample() {
        job.busy = true;
        job.refusePostCopy = true;
        job.abortFails(transfer);

        assertThatThrownBy(() -> postCopyMonitor(ms(300), LONG, ms(30)).watch(transfer, System.nanoTime(), ms(50)))
                .isInstanceOfSatisfying(MigrationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMED_OUT));
        assertThat(job.postCopies).hasValue(1);
        assertThat(job.aborts).hasValue(1);
    }

    private MigrationMonitor postCopyMonitor(Duration completionTimeout, Duration stallWindow, Duration postCopyAfter) {
        return new MigrationMonitor("test migration", job, POLL, Duration.ZERO, completionTimeout, schedule(LONG),
                stallWindow, postCopyAfter, progress::add);
    }

    private MigrationMonitor monitor(Duration completionTimeout, Duration stallWindow, DowntimeSchedule schedule) {
        return new MigrationMonitor("test migration", job, POLL, Duration.ZERO, completionTimeout, schedule, stallWindow,
                progress::add);
    }

    private static DowntimeSchedule schedule(Duration stepDelay) {
        return new DowntimeSchedule(ms(50), ms(500), 10, stepDelay);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /** A job that keeps running with progress unless told otherwise. */
    private static final class FakeJob implements MigrationJob {
        final AtomicLong processed = new AtomicLong();
        final AtomicLong remaining = new AtomicLong(1_000_000);
        final AtomicInteger aborts = new AtomicInteger();
        final List<Duration> downtimes = new CopyOnWriteArrayList<>();
        volatile boolean gone;
        /** A guest that re-dirties what was sent: more sent and a new pass every sample, never less left. */
        volatile boolean busy;
        volatile boolean refusePostCopy;
        volatile boolean sourceEnded;
        /** Samples taken up to the moment the source was first reported ended. */
        final AtomicInteger samplesWhenSourceEnded = new AtomicInteger();
        final AtomicInteger postCopies = new AtomicInteger();
        volatile Runnable onPostCopy = () -> { };
        volatile Runnable onAbort = () -> { };
        final AtomicInteger samples = new AtomicInteger();
        private volatile int completeAfter = Integer.MAX_VALUE;
        private volatile CompletableFuture<Void> toComplete;

        void completeAfterSamples(int count, CompletableFuture<Void> transfer) {
            completeAfter = count;
            toComplete = transfer;
        }
        private final AtomicBoolean moving = new AtomicBoolean(true);

        void abortFails(CompletableFuture<Void> transfer) {
            onAbort = () -> transfer.completeExceptionally(new MigrationException(Step.TRANSFER, Reason.ABORTED,
                    "operation aborted: migration out job: canceled by client", null));
        }

        @Override
        public MigrationJobStats sample() {
            if (gone) {
                throw new InstanceNotFoundException("domain is gone");
            }
            long p = processed.get();
            long r = remaining.get();
            if (busy) {
                p = processed.addAndGet(10);
            } else if (moving.get() && p != 100) {
                // a healthy job: more sent, less left, every sample
                p = processed.addAndGet(10);
                r = remaining.addAndGet(-10);
            }
            if (samples.incrementAndGet() >= completeAfter) {
                // the job ends right after this sample, as a real one does between two polls
                toComplete.complete(null);
            }
            // a busy guest's job starts a new pass over the memory every sample, each with as much left
            long iteration = busy ? samples.get() + 1 : 1;
            return new MigrationJobStats(true, false, 0, p + r, p, r, iteration, -1);
        }

        @Override
        public void setMaxDowntime(Duration downtime) {
            downtimes.add(downtime);
        }

        @Override
        public void abort() {
            aborts.incrementAndGet();
            onAbort.run();
        }

        @Override
        public void startPostCopy() {
            postCopies.incrementAndGet();
            if (refusePostCopy) {
                throw new MigrationException(Step.MONITOR, Reason.FAILED, "post-copy not supported", null);
            }
            onPostCopy.run();
        }

        @Override
        public boolean sourceRunning() {
            if (sourceEnded && samplesWhenSourceEnded.get() == 0) {
                samplesWhenSourceEnded.set(samples.get());
            }
            return !sourceEnded;
        }
    }
}

package dev.computeagent.virt.libvirt.migration;

import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.libvirt.binding.MigrationJobStats;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import dev.computeagent.virt.migration.MigrationListener;
import dev.computeagent.virt.migration.MigrationProgress;
import dev.computeagent.virt.migration.MigrationProgress.Phase;
import dev.computeagent.virt.migration.MigrationResult;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one running transfer (Nova's {@code _live_migration_monitor}): every poll interval it
 * checks the completion timeout and, from {@code firstSampleAfter} on, samples the job, reports
 * progress and escalates, in this order:
 * <ol>
 *   <li>the allowed downtime rises along the schedule (pre-copy only);</li>
 *   <li>auto-converge needs nothing from the monitor: libvirt cannot switch it on during a job, so a job
 *       that may use it is started with it, and QEMU only throttles once the guest dirties memory faster
 *       than it is sent;</li>
 *   <li>when post-copy is permitted ({@code postCopyAfter} not null): the job switches to post-copy when
 *       no pass over the memory started with less left than an earlier one for {@code postCopyAfter}
 *       ({@link ConvergenceWatch}), and
 *       instead of being aborted at the completion timeout or a stall;</li>
 *   <li>otherwise the job is aborted at the completion timeout or when it stalls.</li>
 * </ol>
 * After the switch to post-copy nothing aborts the job (it cannot be: the guest runs on the destination);
 * a transfer that fails from then on is {@link Reason#POST_COPY_FAILED}, not running on the source (its outcome is
 * the destination's to tell: see {@link dev.computeagent.virt.migration.MigrationDriver#incomingState}). So is a
 * transfer whose source QEMU ended during post-copy and whose call has not returned {@link #SOURCE_GONE_GRACE}
 * later: libvirt 9.0 was seen keeping that call for good (the destination still waiting for pages that died with
 * the source), so the monitor stops waiting for it and leaves the call to return whenever it does. The
 * transfer's own outcome decides success: an abort that loses the race against completion still ends in
 * success.
 *
 * <p>Why sampling starts late: a job query competes with the switch-over for libvirt's domain job
 * and the QEMU monitor, which lengthens the guest's pause when they coincide (measured: median
 * downtime 67 ms with a sample every 500 ms from the start vs 41 ms without, idle tiny guest). Most
 * small migrations finish within a second and are then never disturbed.
 */
final class MigrationMonitor {

    private static final Logger log = LoggerFactory.getLogger(MigrationMonitor.class);
    /** How long to wait for the transfer to end after an abort before giving up on it. */
    private static final Duration ABORT_GRACE = Duration.ofSeconds(60);
    /** Progress goes to the log at INFO at most this often; every sample goes at DEBUG. */
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
    /**
     * How long a transfer call may go on after this host's QEMU ended during post-copy: libvirt answers a failed
     * post-copy at once when it answers at all, and its source domain is shut off for an instant before a
     * successful call returns.
     */
    static final Duration SOURCE_GONE_GRACE = Duration.ofSeconds(10);

    private final String subject;
    private final MigrationJob job;
    private final Duration pollInterval;
    private final Duration firstSampleAfter;
    private final Duration completionTimeout;
    private final DowntimeSchedule downtime;
    private final StallDetector stall;
    private final MigrationListener listener;
    /** Null when post-copy is not permitted. */
    private final @Nullable ConvergenceWatch convergence;
    private boolean postCopy;
    /** The hypervisor refused the switch once: asking again every sample would only repeat the refusal. */
    private boolean postCopyRefused;
    private Duration sourceGoneGrace = SOURCE_GONE_GRACE;
    /** When (since the start) this host's QEMU was first seen ended during post-copy; null while it runs. */
    private @Nullable Duration sourceEndedAt;

    MigrationMonitor(String subject, MigrationJob job, Duration pollInterval, Duration firstSampleAfter,
                     Duration completionTimeout, DowntimeSchedule downtime, Duration stallWindow,
                     MigrationListener listener) {
        this(subject, job, pollInterval, firstSampleAfter, completionTimeout, downtime, stallWindow, null, listener);
    }

    /** @param postCopyAfter null: post-copy is not permitted (the job was not started post-copy capable) */
    MigrationMonitor(String subject, MigrationJob job, Duration pollInterval, Duration firstSampleAfter,
                     Duration completionTimeout, DowntimeSchedule downtime, Duration stallWindow,
                     @Nullable Duration postCopyAfter, MigrationListener listener) {
        this.convergence = postCopyAfter == null ? null : new ConvergenceWatch(postCopyAfter);
        this.subject = subject;
        this.job = job;
        this.pollInterval = pollInterval;
        this.firstSampleAfter = firstSampleAfter;
        this.completionTimeout = completionTimeout;
        this.downtime = downtime;
        this.stall = new StallDetector(stallWindow);
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Shortens {@link #SOURCE_GONE_GRACE} (tests). */
    MigrationMonitor givingUpOnAnEndedSourceAfter(Duration grace) {
        this.sourceGoneGrace = grace;
        return this;
    }

    /**
     * Watches {@code transfer} (already running, started at {@code startNanos}) until it ends.
     *
     * @param currentLimit the downtime limit set before the transfer started
     * @throws MigrationException the transfer failed or was aborted by this monitor
     */
    MigrationResult watch(Future<?> transfer, long startNanos, Duration currentLimit) {
        Duration limit = currentLimit;
        Reason abortedFor = null;
        long bytes = 0;
        int samples = 0;
        Duration lastLogged = Duration.ZERO;
        while (true) {
            Throwable failure;
            try {
                transfer.get(abortedFor == null ? pollInterval.toMillis() : ABORT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                return new MigrationResult(since(startNanos), bytes, limit, samples, postCopy);
            } catch (TimeoutException e) {
                if (abortedFor != null) {
                    throw new MigrationException(Step.MONITOR, abortedFor, subject + ": the transfer did not end within "
                            + ABORT_GRACE + " after it was aborted", null);
                }
                failure = null;
            } catch (ExecutionException e) {
                failure = e.getCause();
            } catch (CancellationException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (postCopy) {
                    throw new MigrationException(Step.MONITOR, Reason.FAILED, false, subject
                            + ": interrupted during post-copy; the transfer goes on unwatched", e);
                }
                abortQuietly();
                throw new MigrationException(Step.MONITOR, Reason.ABORTED, subject + ": interrupted; the job was aborted", e);
            }
            if (failure != null) {
                throw failed(failure, abortedFor);
            }
            Duration elapsed = since(startNanos);
            if (postCopy && sourceEndedLongAgo(elapsed)) {
                throw new MigrationException(Step.TRANSFER, Reason.POST_COPY_FAILED, false, subject + ": this host's "
                        + "QEMU ended during post-copy and the transfer call did not return within "
                        + sourceGoneGrace.toSeconds() + " s after; no longer waited for (the pages that were still here "
                        + "are lost)", null);
            }
            if (postCopy && sourceEndedAt != null) {
                // a job query on an ended domain has nothing to tell, and may queue behind the stuck call
                continue;
            }
            if (!postCopy && elapsed.compareTo(completionTimeout) > 0) {
                if (switchToPostCopy(elapsed, "not complete within the completion timeout")) {
                    continue;
                }
                abortedFor = Reason.TIMED_OUT;
                log.warn("{}: not complete after {} ms (timeout {} ms); aborting", subject, elapsed.toMillis(),
                        completionTimeout.toMillis());
                abortQuietly();
                continue;
            }
            if (elapsed.compareTo(firstSampleAfter) < 0) {
                continue;
            }
            MigrationJobStats stats;
            try {
                stats = job.sample();
            } catch (DriverException e) {
                // the domain leaves the source when the job completes; the transfer's outcome will tell
                log.debug("{}: cannot sample the job: {}", subject, e.getMessage());
                continue;
            }
            if (!stats.active()) {
                continue;
            }
            samples++;
            bytes = stats.dataProcessed();
            MigrationProgress progress = progress(elapsed, stats, limit, postCopy);
            report(progress);
            if (elapsed.minus(lastLogged).compareTo(LOG_INTERVAL) >= 0) {
                log.info("{}: {}% ({} of {} bytes, {} remaining, iteration {}) after {} ms, downtime limit {} ms",
                        subject, progress.percent(), stats.dataProcessed(), stats.dataTotal(), stats.dataRemaining(),
                        stats.memoryIteration(), elapsed.toMillis(), limit.toMillis());
                lastLogged = elapsed;
            } else {
                log.debug("{}: {}", subject, progress);
            }
            if (postCopy) {
                continue;
            }
            if (convergence != null && convergence.notConverging(elapsed, stats.dataProcessed(), stats.dataRemaining(),
                    stats.memoryIteration())
                    && switchToPostCopy(elapsed, "no pass started with less data left within the post-copy delay")) {
                report(progress(elapsed, stats, limit, postCopy));
                continue;
            }
            if (stall.stalled(elapsed, stats.dataProcessed(), stats.dataRemaining())) {
                if (switchToPostCopy(elapsed, "no progress for longer than the stall window")) {
                    report(progress(elapsed, stats, limit, postCopy));
                    continue;
                }
                abortedFor = Reason.STALLED;
                log.warn("{}: no progress for longer than the stall window; aborting", subject);
                abortQuietly();
                continue;
            }
            Duration next = downtime.limitAt(elapsed);
            if (next.compareTo(limit) > 0) {
                try {
                    job.setMaxDowntime(next);
                    log.info("{}: downtime limit raised to {} ms", subject, next.toMillis());
                    limit = next;
                } catch (DriverException e) {
                    log.debug("{}: cannot raise the downtime limit: {}", subject, e.getMessage());
                }
            }
        }
    }

    /**
     * True once this host's QEMU has been seen ended for {@link #sourceGoneGrace}. A state that cannot be read
     * (connection lost, domain gone) proves nothing: the transfer's own failure or success will tell.
     */
    private boolean sourceEndedLongAgo(Duration elapsed) {
        boolean running;
        try {
            running = job.sourceRunning();
        } catch (DriverException e) {
            log.debug("{}: cannot read the source's state: {}", subject, e.getMessage());
            return false;
        }
        if (running) {
            sourceEndedAt = null;
            return false;
        }
        if (sourceEndedAt == null) {
            sourceEndedAt = elapsed;
            log.warn("{}: this host's QEMU ended during post-copy after {} ms; the transfer call gets {} s to return",
                    subject, elapsed.toMillis(), sourceGoneGrace.toSeconds());
        }
        return elapsed.minus(sourceEndedAt).compareTo(sourceGoneGrace) >= 0;
    }

    /**
     * Switches to post-copy when permitted and not done or refused yet; true when the job now runs
     * post-copy. A refusal (the job just ended, or cannot) leaves the caller to its next step (abort or go
     * on) and is not asked again.
     */
    private boolean switchToPostCopy(Duration elapsed, String why) {
        if (convergence == null || postCopy || postCopyRefused) {
            return false;
        }
        try {
            job.startPostCopy();
        } catch (DriverException e) {
            postCopyRefused = true;
            log.warn("{}: {} after {} ms, but post-copy was refused: {}", subject, why, elapsed.toMillis(),
                    e.getMessage());
            return false;
        }
        postCopy = true;
        log.info("{}: {} after {} ms; switched to post-copy", subject, why, elapsed.toMillis());
        return true;
    }

    static MigrationProgress progress(Duration elapsed, MigrationJobStats stats, Duration limit) {
        return progress(elapsed, stats, limit, false);
    }

    static MigrationProgress progress(Duration elapsed, MigrationJobStats stats, Duration limit, boolean postCopy) {
        MigrationJobStats.Bytes memory = stats.memory();
        MigrationJobStats.Bytes disk = stats.disk();
        return new MigrationProgress(elapsed, stats.dataTotal(), stats.dataProcessed(), stats.dataRemaining(),
                stats.memoryIteration(), limit, postCopy ? Phase.POST_COPY : phase(stats),
                new MigrationProgress.Transfer(memory.total(), memory.processed(), memory.remaining()),
                stats.memoryDirtyRate(), new MigrationProgress.Transfer(disk.total(), disk.processed(), disk.remaining()),
                stats.autoConvergeThrottle());
    }

    /** libvirt mirrors copied disks before it starts on the memory; throttling only happens in the memory copy. */
    private static Phase phase(MigrationJobStats stats) {
        if (stats.dataProcessed() == 0 && stats.dataRemaining() == 0) {
            return Phase.SETUP;
        }
        if (stats.memory().processed() == 0 && stats.disk().remaining() > 0) {
            return Phase.DISK_COPY;
        }
        return stats.autoConvergeThrottle() > 0 ? Phase.AUTO_CONVERGE : Phase.MEMORY_COPY;
    }

    private MigrationException failed(Throwable failure, Reason abortedFor) {
        if (postCopy) {
            // the guest ran on the destination from the switch on: neither side has all of its memory now
            return new MigrationException(Step.TRANSFER, Reason.POST_COPY_FAILED, false, subject
                    + ": failed during post-copy (the guest runs on the destination, whose hypervisor may still "
                    + "complete it): " + failure.getMessage(), failure);
        }
        if (abortedFor != null) {
            String why = abortedFor == Reason.TIMED_OUT ? "not complete within " + completionTimeout.toMillis() + " ms"
                    : "no progress within the stall window";
            return new MigrationException(Step.MONITOR, abortedFor, subject + ": aborted, " + why, failure);
        }
        if (failure instanceof MigrationException migration) {
            return migration;
        }
        return new MigrationException(Step.TRANSFER, Reason.FAILED, subject + ": " + failure.getMessage(), failure);
    }

    private void report(MigrationProgress progress) {
        try {
            listener.onProgress(progress);
        } catch (RuntimeException e) {
            log.warn("{}: migration listener failed; ignored", subject, e);
        }
    }

    private void abortQuietly() {
        try {
            job.abort();
        } catch (DriverException e) {
            // the job may have just ended; the transfer's outcome tells what happened
            log.info("{}: abort not accepted: {}", subject, e.getMessage());
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}

package dev.computeagent.virt.libvirt.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * The allowed downtime over the course of a migration (after Nova's {@code _migration_downtime_steps}):
 * it starts at {@code initial} and rises linearly to {@code max} in {@code steps} steps, one every
 * {@code stepDelay}, so a guest that does not converge gets more latitude the longer it takes.
 *
 * <p>Unlike Nova, {@link #forMemory} does not start at {@code max / steps}: measured on the two-host
 * harness, a 50 ms start made an idle tiny guest iterate longer and pause <em>longer</em> (median job
 * 1044 ms, downtime 89 ms) than starting at 500 ms (681 ms, 45 ms) — the pause is dominated by fixed
 * switch-over costs, not by the memory left. It starts at libvirt's own default limit instead.
 */
public final class DowntimeSchedule {

    /** Nova's {@code live_migration_downtime_steps}. */
    public static final int DEFAULT_STEPS = 10;
    /** Nova's {@code live_migration_downtime_delay}, per GiB of memory. */
    public static final Duration DELAY_PER_GIB = Duration.ofSeconds(75);
    /** libvirt's (QEMU's) default maximum downtime, where the schedule starts (or at max, if lower). */
    public static final Duration DEFAULT_INITIAL = Duration.ofMillis(300);
    /** Memory counted at least this many GiB when scaling the delay (as Nova does). */
    private static final long MIN_GIB = 2;

    private final Duration initial;
    private final Duration max;
    private final int steps;
    private final Duration stepDelay;

    public DowntimeSchedule(Duration initial, Duration max, int steps, Duration stepDelay) {
        this.initial = Objects.requireNonNull(initial, "initial");
        this.max = Objects.requireNonNull(max, "max");
        this.stepDelay = Objects.requireNonNull(stepDelay, "stepDelay");
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1: " + steps);
        }
        if (!isPositive(initial) || !isPositive(max) || !isPositive(stepDelay)) {
            throw new IllegalArgumentException("initial, max and stepDelay must be positive");
        }
        if (initial.compareTo(max) > 0) {
            throw new IllegalArgumentException("initial downtime " + initial + " exceeds the maximum " + max);
        }
        this.steps = steps;
    }

    /**
     * From {@link #DEFAULT_INITIAL} (or {@code max} when lower) to {@code max} in {@link #DEFAULT_STEPS}
     * steps, {@link #DELAY_PER_GIB} per GiB of memory (at least 2 GiB) apart.
     */
    public static DowntimeSchedule forMemory(Duration max, long memoryMb) {
        long gib = Math.max(MIN_GIB, (memoryMb + 1023) / 1024);
        Duration initial = DEFAULT_INITIAL.compareTo(max) < 0 ? DEFAULT_INITIAL : max;
        return new DowntimeSchedule(initial, max, DEFAULT_STEPS, DELAY_PER_GIB.multipliedBy(gib));
    }

    /** The limit that applies {@code elapsed} after the migration started. */
    public Duration limitAt(Duration elapsed) {
        long step = Math.min(steps, elapsed.toMillis() / stepDelay.toMillis());
        long range = max.toMillis() - initial.toMillis();
        return Duration.ofMillis(initial.toMillis() + range * step / steps);
    }

    public Duration max() {
        return max;
    }

    private static boolean isPositive(Duration value) {
        return !value.isNegative() && !value.isZero();
    }
}

package dev.computeagent.virt.libvirt.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * The allowed downtime over the course of a migration (Nova's {@code _migration_downtime_steps}):
 * it starts at {@code max / steps} and rises linearly to {@code max} in {@code steps} steps, one every
 * {@code stepDelay}. A small limit first lets an idle guest switch over with the least pause; a
 * busy one gets more latitude the longer it takes.
 */
public final class DowntimeSchedule {

    /** Nova's {@code live_migration_downtime_steps}. */
    public static final int DEFAULT_STEPS = 10;
    /** Nova's {@code live_migration_downtime_delay}, per GiB of memory. */
    public static final Duration DELAY_PER_GIB = Duration.ofSeconds(75);
    /** Memory counted at least this many GiB when scaling the delay (as Nova does). */
    private static final long MIN_GIB = 2;

    private final Duration max;
    private final int steps;
    private final Duration stepDelay;

    public DowntimeSchedule(Duration max, int steps, Duration stepDelay) {
        this.max = Objects.requireNonNull(max, "max");
        this.stepDelay = Objects.requireNonNull(stepDelay, "stepDelay");
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1: " + steps);
        }
        if (max.isNegative() || max.isZero() || stepDelay.isNegative() || stepDelay.isZero()) {
            throw new IllegalArgumentException("max and stepDelay must be positive");
        }
        this.steps = steps;
    }

    /** {@link #DEFAULT_STEPS} steps, {@link #DELAY_PER_GIB} per GiB of memory (at least 2 GiB) apart. */
    public static DowntimeSchedule forMemory(Duration max, long memoryMb) {
        long gib = Math.max(MIN_GIB, (memoryMb + 1023) / 1024);
        return new DowntimeSchedule(max, DEFAULT_STEPS, DELAY_PER_GIB.multipliedBy(gib));
    }

    /** The limit that applies {@code elapsed} after the migration started. */
    public Duration limitAt(Duration elapsed) {
        long step = Math.min(steps, elapsed.toMillis() / stepDelay.toMillis());
        long base = max.toMillis() / steps;
        long offset = (max.toMillis() - base) / steps;
        return step >= steps ? max : Duration.ofMillis(Math.max(1, base + offset * step));
    }

    public Duration max() {
        return max;
    }
}

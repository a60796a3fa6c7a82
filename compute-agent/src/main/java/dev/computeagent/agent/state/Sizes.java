package dev.computeagent.agent.state;

/**
 * Disk sizes in bytes, computed so that they cannot wrap around: a size that does not fit a
 * {@code long} fails with {@link ArithmeticException} instead of becoming a small one (a wrapped
 * {@code ephemeral_gb} once made a 1 GiB disk out of 2^34 + 1 GiB and passed the capacity check).
 */
public final class Sizes {

    private static final long GIB = 1L << 30;

    private Sizes() {
    }

    /** {@code gib} GiB in bytes. */
    public static long gib(long gib) {
        return Math.multiplyExact(gib, GIB);
    }

    /** Whole GiB in {@code bytes}, rounded down. */
    public static long toGib(long bytes) {
        return bytes / GIB;
    }
}

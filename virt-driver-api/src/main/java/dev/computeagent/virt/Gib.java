package dev.computeagent.virt;

/**
 * Sizes in GiB (2^30 bytes), the unit of flavors and of the disk figures the agent reports, converted
 * so that they cannot wrap around: a size that does not fit a {@code long} fails with
 * {@link ArithmeticException} instead of becoming a small one (a wrapped {@code ephemeral_gb} once made
 * a 1 GiB disk out of 2^34 + 1 GiB and passed the capacity check).
 */
public final class Gib {

    /** Bytes in one GiB. */
    public static final long BYTES = 1L << 30;

    private Gib() {
    }

    /** {@code gib} GiB in bytes. @throws ArithmeticException it does not fit a {@code long} */
    public static long toBytes(long gib) {
        return Math.multiplyExact(gib, BYTES);
    }

    /** The whole GiB in {@code bytes}, rounded down. */
    public static long of(long bytes) {
        return bytes / BYTES;
    }
}

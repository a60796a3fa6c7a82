package dev.computeagent.virt;

/**
 * The size of an instance.
 *
 * @param vcpus       1–64 virtual CPUs
 * @param memoryMb    64–1048576 MiB of memory
 * @param rootGb      root disk size in GiB, 0–16384 (0 = the image's virtual size)
 * @param ephemeralGb extra ephemeral disk in GiB, 0–16384
 */
public record Flavor(int vcpus, long memoryMb, long rootGb, long ephemeralGb) {

    /** The largest root or ephemeral disk, GiB (16 TiB): its size in bytes still fits a {@code long} with room. */
    public static final long MAX_DISK_GB = 16_384;
    private static final long GIB = 1L << 30;

    public Flavor {
        Checks.range("vcpus", vcpus, 1, 64);
        Checks.range("memoryMb", memoryMb, 64, 1_048_576);
        Checks.range("rootGb", rootGb, 0, MAX_DISK_GB);
        Checks.range("ephemeralGb", ephemeralGb, 0, MAX_DISK_GB);
    }

    /** The root disk in bytes (0 = the image's virtual size). */
    public long rootBytes() {
        return rootGb * GIB;
    }

    /** The ephemeral disk in bytes (0 = none). */
    public long ephemeralBytes() {
        return ephemeralGb * GIB;
    }
}

package dev.computeagent.virt;

/**
 * The size of an instance.
 *
 * @param vcpus       1–64 virtual CPUs
 * @param memoryMb    64–1048576 MiB of memory
 * @param rootGb      root disk size in GiB, 0–16384 (0 = the image's virtual size)
 * @param ephemeralGb extra ephemeral disk in GiB, ≥ 0
 */
public record Flavor(int vcpus, long memoryMb, long rootGb, long ephemeralGb) {

    public Flavor {
        Checks.range("vcpus", vcpus, 1, 64);
        Checks.range("memoryMb", memoryMb, 64, 1_048_576);
        Checks.range("rootGb", rootGb, 0, 16_384);
        Checks.range("ephemeralGb", ephemeralGb, 0, Long.MAX_VALUE);
    }
}

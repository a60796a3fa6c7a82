package dev.computeagent.virt;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The size of an instance: the project's one flavor type, from the validated command to the driver,
 * the events and the REST views. Its JSON form ({@code vcpus}, {@code memory_mb}, {@code root_gb},
 * {@code ephemeral_gb}: the AsyncAPI document's {@code Flavor}) is declared here, so every mapper writes
 * and reads it the same way.
 *
 * @param vcpus       1–64 virtual CPUs
 * @param memoryMb    64–1048576 MiB of memory
 * @param rootGb      root disk size in GiB, 0–16384 (0 = the image's virtual size)
 * @param ephemeralGb extra ephemeral disk in GiB, 0–16384
 * @throws IllegalArgumentException a value outside its range
 */
public record Flavor(@JsonProperty("vcpus") int vcpus, @JsonProperty("memory_mb") long memoryMb,
                     @JsonProperty("root_gb") long rootGb, @JsonProperty("ephemeral_gb") long ephemeralGb) {

    /** The largest vCPU count. */
    public static final int MAX_VCPUS = 64;
    /** The smallest memory, MiB. */
    public static final long MIN_MEMORY_MB = 64;
    /** The largest memory, MiB (1 TiB). */
    public static final long MAX_MEMORY_MB = 1_048_576;
    /** The largest root or ephemeral disk, GiB (16 TiB): its size in bytes still fits a {@code long} with room. */
    public static final long MAX_DISK_GB = 16_384;

    @JsonCreator
    public Flavor {
        Checks.range("vcpus", vcpus, 1, MAX_VCPUS);
        Checks.range("memoryMb", memoryMb, MIN_MEMORY_MB, MAX_MEMORY_MB);
        Checks.range("rootGb", rootGb, 0, MAX_DISK_GB);
        Checks.range("ephemeralGb", ephemeralGb, 0, MAX_DISK_GB);
    }

    /** The root disk in bytes (0 = the image's virtual size). */
    public long rootBytes() {
        return Gib.toBytes(rootGb);
    }

    /** The ephemeral disk in bytes (0 = none). */
    public long ephemeralBytes() {
        return Gib.toBytes(ephemeralGb);
    }

    /**
     * The disk an instance of this flavor takes on its host: {@code rootBytes} (the flavor's root disk, or
     * the image's virtual size when {@code root_gb} is 0) plus the ephemeral disk.
     */
    public long diskBytes(long rootBytes) {
        return Math.addExact(rootBytes, ephemeralBytes());
    }
}

package dev.computeagent.image.qemu;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@code qemu-img convert} may use, scaled by the image's virtual size. By the time an image
 * is converted, its header has passed the Java inspection and {@code qemu-img info} under the tight
 * limits Nova uses for untrusted headers (30 s CPU, 1 GiB address space); what is left to bound is the
 * work, and honest work grows with the data. Measured on a 2-core host (QEMU 7.2):
 * <ul>
 *   <li><b>CPU</b>: 60 s + 30 s per GiB. A fully allocated compressed 1 GiB qcow2 took 6.9 s of CPU
 *       (user + sys) to become raw, the compressed Debian cloud image (2 GiB virtual) 3.9 s, a 20 GiB
 *       sparse image 0.01 s: about 4× headroom for slower CPUs. A fixed 30 s failed honest images of a
 *       few GiB.</li>
 *   <li><b>Address space</b>: 2 GiB, with {@code MALLOC_ARENA_MAX=2}. Address space counts
 *       reservations, not memory in use: each QEMU worker thread reserves an 8 MiB stack, and glibc
 *       gives threads up to 8 per core malloc arenas of 64 MiB each. Eight conversions of the cloud
 *       image at once peaked at 593–954 MiB of address space each by default (so a 1 GiB cap failed at
 *       random: {@code qemu_thread_create: Resource temporarily unavailable}, then abort), at
 *       146–267 MiB with two arenas, while using ~14 MiB of memory. Even QEMU's largest thread pool
 *       (64 threads) stays far below 2 GiB, which still stops a runaway allocation long before it
 *       threatens the host.</li>
 *   <li><b>Wall clock</b>: the configured base plus 60 s per GiB (a disk writing 17 MB/s keeps up).</li>
 * </ul>
 *
 * @param baseCpuSeconds    {@code RLIMIT_CPU} (all threads together) before the share per GiB
 * @param cpuSecondsPerGib  added per started GiB of virtual size
 * @param addressSpaceBytes {@code RLIMIT_AS}
 * @param environment       added to the process's environment
 * @param baseTimeout       wall-clock limit before the share per GiB; the process is killed after it
 * @param timePerGib        added per started GiB of virtual size
 */
public record ConvertLimits(long baseCpuSeconds, long cpuSecondsPerGib, long addressSpaceBytes,
                            Map<String, String> environment, Duration baseTimeout, Duration timePerGib) {

    public ConvertLimits {
        environment = Map.copyOf(environment);
        Objects.requireNonNull(baseTimeout, "baseTimeout");
        Objects.requireNonNull(timePerGib, "timePerGib");
    }

    /** The limits above, with {@code baseTimeout} as the wall clock's base. */
    public static ConvertLimits defaults(Duration baseTimeout) {
        return new ConvertLimits(60, 30, 2L << 30, Map.of("MALLOC_ARENA_MAX", "2"), baseTimeout,
                Duration.ofSeconds(60));
    }

    /** CPU seconds for an image of {@code virtualSize} bytes. */
    long cpuSeconds(long virtualSize) {
        return baseCpuSeconds + cpuSecondsPerGib * startedGib(virtualSize);
    }

    /** Wall clock for an image of {@code virtualSize} bytes. */
    Duration timeout(long virtualSize) {
        return baseTimeout.plus(timePerGib.multipliedBy(startedGib(virtualSize)));
    }

    private static long startedGib(long virtualSize) {
        return Math.max(1, (virtualSize + (1L << 30) - 1) >>> 30);
    }
}

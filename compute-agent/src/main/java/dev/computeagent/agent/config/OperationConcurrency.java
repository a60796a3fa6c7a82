package dev.computeagent.agent.config;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The default of {@code agent.max-concurrent-operations}, sized from the host the guests run on: one
 * operation per GiB of memory and at most eight per core, never fewer than {@value #MIN} nor more than
 * {@value #MAX}. An operation mostly waits for libvirt, QEMU and the disks rather than using the agent's
 * CPU; what a burst of spawns competes for is the host's cores (QEMU start-ups) and memory (the guests),
 * so a fixed 8 made a burst of ten wait in two waves on a host that could start all ten at once.
 *
 * <p>The host's size is read from {@code /sys/devices/system/cpu/online} and {@code /proc/meminfo}
 * (the host's, not a container's limits: the agent's own container is small, the guests are not);
 * where they cannot be read, from the JVM.
 */
final class OperationConcurrency {

    static final int MIN = 8;
    static final int MAX = 64;
    private static final int PER_CORE = 8;
    private static final long GIB = 1L << 30;

    private OperationConcurrency() {
    }

    /** The default for a host of {@code cores} and {@code memoryBytes}. */
    static int forHost(int cores, long memoryBytes) {
        long byCores = (long) Math.max(cores, 1) * PER_CORE;
        long byMemory = Math.max(memoryBytes, 0) / GIB;
        return (int) Math.max(MIN, Math.min(MAX, Math.min(byCores, byMemory)));
    }

    /** The default for this host. */
    static int forThisHost() {
        return forHost(cores(), memoryBytes());
    }

    private static int cores() {
        try {
            int count = 0;
            for (String range : Files.readString(Path.of("/sys/devices/system/cpu/online")).trim().split(",")) {
                String[] ends = range.split("-");
                count += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return count;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static long memoryBytes() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/meminfo"));
            for (String line : lines) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the JVM's view
        }
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }
}

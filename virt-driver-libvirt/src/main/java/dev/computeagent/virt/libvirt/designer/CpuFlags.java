package dev.computeagent.virt.libvirt.designer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The x86 CPU flags of {@code /proc/cpuinfo} (its first {@code flags} line), as this host sees them. */
final class CpuFlags {

    static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private CpuFlags() {
    }

    /** The flags, or empty when {@code cpuinfo} cannot be read or has no {@code flags} line (not x86). */
    static Optional<Set<String>> read(Path cpuinfo) {
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(line -> line.startsWith("flags"))
                    .findFirst()
                    .map(line -> Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                            .collect(Collectors.toUnmodifiableSet()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the flags include {@code hypervisor}: this host is itself a virtual machine. */
    static boolean runsUnderHypervisor(Path cpuinfo) {
        return read(cpuinfo).map(flags -> flags.contains("hypervisor")).orElse(false);
    }

    /**
     * Whether the CPU virtualises in hardware: its flags include {@code vmx} (Intel VT-x) or {@code svm}
     * (AMD-V), as {@code virt-host-validate} checks. True where there are no x86 flags to judge by.
     */
    static boolean virtualisesInHardware(Path cpuinfo) {
        return read(cpuinfo).map(flags -> flags.contains("vmx") || flags.contains("svm")).orElse(true);
    }
}

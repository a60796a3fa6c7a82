package dev.computeagent.agent.jvm;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Brings an agent running without heap options closer to its memory goal (≤ 256 MiB RSS with 50
 * instances); only the {@linkplain #RECOMMENDED recommended options} keep it (benchmarks/agent.md: a
 * JVM without them still holds ~260 MiB with 50 instances, the rest being C2's code, G1's structures and
 * metaspace; {@link JvmRelaunch} therefore runs a plain {@code java -jar} launch in a second JVM with them,
 * and this class is what is left for the launches it leaves alone). The heap options that matter most ({@code -Xmx}, the collector) can only be given on the
 * command line, so
 * {@code java -jar compute-agent.jar} without them gets the JVM's defaults: G1 with a heap of up to a
 * quarter of the host's memory, which it keeps once it has grown. At start-up the agent therefore sets
 * the heap-sizing flags the JVM lets a running process change ({@code manageable}): the heap is given back
 * after a collection when more than {@value #MAX_HEAP_FREE_RATIO} % of it is free, and G1 collects every
 * {@value #G1_PERIODIC_GC_INTERVAL_MS} ms when idle so that an agent that grew under load shrinks again.
 * A flag the operator set on the command line is left as given. When the heap may grow beyond
 * {@value #LARGE_HEAP_MIB} MiB, a warning names the {@linkplain #RECOMMENDED recommended options}; a JVM
 * launched with a heap bound below that is left as it is.
 */
public final class JvmMemoryDefaults {

    /** The options docs/configuration.md recommends (the Dockerfile and the Helm chart set them). */
    public static final String RECOMMENDED = "-XX:+UseSerialGC -Xms32m -Xmx128m -Xss512k -XX:MaxMetaspaceSize=128m "
            + "-XX:ReservedCodeCacheSize=64m -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError";
    static final int MIN_HEAP_FREE_RATIO = 10;
    static final int MAX_HEAP_FREE_RATIO = 20;
    static final long G1_PERIODIC_GC_INTERVAL_MS = 15_000;
    static final long LARGE_HEAP_MIB = 256;

    /**
     * What {@link #apply} did.
     *
     * @param set     the flags it changed, as {@code name=value}
     * @param warning the start-up warning, or null when the heap is bounded (then nothing was set)
     */
    public record Applied(List<String> set, @Nullable String warning) {
    }

    private JvmMemoryDefaults() {
    }

    /** {@link #apply} to this JVM. Never throws: a JVM without these flags is left as it is. */
    public static Applied applyToThisJvm() {
        long maxHeapBytes = Runtime.getRuntime().maxMemory();
        if (maxHeapBytes >> 20 <= LARGE_HEAP_MIB) {
            // bounded (the recommended options): nothing to set, and the management bean is not even
            // looked up, which costs 30-80 ms of the start-up on the main thread
            return new Applied(List.of(), null);
        }
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (vm == null) {
            return new Applied(List.of(), null);
        }
        return apply(vm, maxHeapBytes);
    }

    /**
     * Sets each memory flag the operator did not set; {@code maxHeapBytes} (the JVM's heap bound) decides
     * the warning. Never throws: a flag this JVM does not have or refuses is skipped.
     */
    static Applied apply(HotSpotDiagnosticMXBean vm, long maxHeapBytes) {
        long maxHeapMib = maxHeapBytes >> 20;
        if (maxHeapMib <= LARGE_HEAP_MIB) {
            // launched with a bounded heap (the recommended options): as the operator chose
            return new Applied(List.of(), null);
        }
        // the minimum first: the JVM refuses a maximum below the current minimum (40 by default)
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("MinHeapFreeRatio", Integer.toString(MIN_HEAP_FREE_RATIO));
        wanted.put("MaxHeapFreeRatio", Integer.toString(MAX_HEAP_FREE_RATIO));
        if ("true".equals(value(vm, "UseG1GC"))) {
            wanted.put("G1PeriodicGCInterval", Long.toString(G1_PERIODIC_GC_INTERVAL_MS));
        }
        List<String> set = new ArrayList<>();
        wanted.forEach((name, value) -> {
            try {
                VMOption option = vm.getVMOption(name);
                if (operatorSet(option) || value.equals(option.getValue())) {
                    return;
                }
                vm.setVMOption(name, value);
                set.add(name + "=" + value);
            } catch (IllegalArgumentException | SecurityException e) {
                // not manageable here or refused: the warning below still names the real remedy
            }
        });
        String warning = "the JVM may grow its heap to " + maxHeapMib
                + " MiB (no -Xmx, or a large one): the agent's memory goal (256 MiB) is only kept with the "
                + "recommended options, e.g. java " + RECOMMENDED + " -jar compute-agent.jar (or JAVA_TOOL_OPTIONS); "
                + "set at start-up instead: " + (set.isEmpty() ? "nothing" : String.join(", ", set));
        return new Applied(List.copyOf(set), warning);
    }

    /** Logs what {@link #apply} did: the warning, else the flags set. */
    public static void report(Applied applied, Logger log) {
        if (applied.warning() != null) {
            log.warn(applied.warning());
        } else if (!applied.set().isEmpty()) {
            log.info("JVM memory flags set at start-up: {}", String.join(", ", applied.set()));
        }
    }

    private static boolean operatorSet(VMOption option) {
        return option.getOrigin() != VMOption.Origin.DEFAULT && option.getOrigin() != VMOption.Origin.ERGONOMIC;
    }

    private static @Nullable String value(HotSpotDiagnosticMXBean vm, String name) {
        try {
            return vm.getVMOption(name).getValue();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

package dev.computeagent.agent.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * The agent launched as {@code java -jar} without heap options (the JVM's G1 defaults) sets the heap's
 * manageable flags so that the heap shrinks back after load, warns with the recommended options, and
 * leaves alone what the operator set and a JVM launched with a bounded heap. The RSS this gives is
 * measured by the agent benchmark (benchmarks/agent.md), not here: starting the packaged agent under
 * load takes minutes.
 */
class JvmMemoryDefaultsTest {

    private static final long GIB = 1L << 30;

    @Test
    void unboundedG1HeapGetsShrinkingFlagsAndAWarningNamingTheRecommendedOptions() {
        FakeVm vm = new FakeVm(true);
        JvmMemoryDefaults.Applied applied = JvmMemoryDefaults.apply(vm, 6 * GIB);

        assertThat(applied.set()).containsExactly("MinHeapFreeRatio=10", "MaxHeapFreeRatio=20",
                "G1PeriodicGCInterval=15000");
        assertThat(vm.value("MinHeapFreeRatio")).isEqualTo("10");
        assertThat(vm.value("MaxHeapFreeRatio")).isEqualTo("20");
        assertThat(vm.value("G1PeriodicGCInterval")).isEqualTo("15000");
        assertThat(applied.warning()).contains("6144 MiB").contains(JvmMemoryDefaults.RECOMMENDED)
                .contains("MaxHeapFreeRatio=20");
    }

    @Test
    void flagsTheOperatorGaveAreKept() {
        FakeVm vm = new FakeVm(true);
        vm.options.put("MaxHeapFreeRatio", new VMOption("MaxHeapFreeRatio", "50", true, VMOption.Origin.VM_CREATION));
        vm.options.put("G1PeriodicGCInterval",
                new VMOption("G1PeriodicGCInterval", "60000", true, VMOption.Origin.ENVIRON_VAR));

        JvmMemoryDefaults.Applied applied = JvmMemoryDefaults.apply(vm, 2 * GIB);

        assertThat(applied.set()).containsExactly("MinHeapFreeRatio=10");
        assertThat(vm.value("MaxHeapFreeRatio")).isEqualTo("50");
        assertThat(vm.value("G1PeriodicGCInterval")).isEqualTo("60000");
    }

    @Test
    void periodicCollectionOnlyWithG1() {
        JvmMemoryDefaults.Applied applied = JvmMemoryDefaults.apply(new FakeVm(false), GIB);

        assertThat(applied.set()).containsExactly("MinHeapFreeRatio=10", "MaxHeapFreeRatio=20");
        assertThat(applied.warning()).isNotNull();
    }

    @Test
    void boundedHeapIsLeftAsLaunched() {
        FakeVm vm = new FakeVm(false);
        JvmMemoryDefaults.Applied applied = JvmMemoryDefaults.apply(vm, 128L << 20);

        assertThat(applied.set()).isEmpty();
        assertThat(applied.warning()).isNull();
        assertThat(vm.value("MaxHeapFreeRatio")).isEqualTo("70");
    }

    @Test
    void theRealJvmAcceptsTheFlags() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        boolean launchedWithRatios = vm.getVMOption("MaxHeapFreeRatio").getOrigin() != VMOption.Origin.DEFAULT;

        // the JVM's own check of each value (order, range, manageability) is what this exercises
        JvmMemoryDefaults.Applied applied = JvmMemoryDefaults.apply(vm, 8 * GIB);

        assertThat(applied.set()).hasSizeGreaterThanOrEqualTo(launchedWithRatios ? 0 : 2);
        for (String flag : applied.set()) {
            String[] nameValue = flag.split("=");
            assertThat(vm.getVMOption(nameValue[0]).getValue()).as(flag).isEqualTo(nameValue[1]);
        }
    }

    /** The JVM's defaults on JDK 17: the ratios 40/70, no periodic collection. */
    private static final class FakeVm implements HotSpotDiagnosticMXBean {
        final Map<String, VMOption> options = new HashMap<>();

        FakeVm(boolean g1) {
            put("MinHeapFreeRatio", "40", VMOption.Origin.DEFAULT);
            put("MaxHeapFreeRatio", "70", VMOption.Origin.DEFAULT);
            put("G1PeriodicGCInterval", "0", VMOption.Origin.DEFAULT);
            put("UseG1GC", Boolean.toString(g1), VMOption.Origin.ERGONOMIC);
        }

        private void put(String name, String value, VMOption.Origin origin) {
            options.put(name, new VMOption(name, value, true, origin));
        }

        String value(String name) {
            return options.get(name).getValue();
        }

        @Override
        public VMOption getVMOption(String name) {
            VMOption option = options.get(name);
            if (option == null) {
                throw new IllegalArgumentException("no flag " + name);
            }
            return option;
        }

        @Override
        public void setVMOption(String name, String value) {
            // the real JVM's consistency rule, which fixes the order the flags are set in
            int min = Integer.parseInt(name.equals("MinHeapFreeRatio") ? value : value("MinHeapFreeRatio"));
            int max = Integer.parseInt(name.equals("MaxHeapFreeRatio") ? value : value("MaxHeapFreeRatio"));
            if (min > max) {
                throw new IllegalArgumentException("MinHeapFreeRatio must be <= MaxHeapFreeRatio");
            }
            put(name, value, VMOption.Origin.MANAGEMENT);
        }

        @Override
        public void dumpHeap(String outputFile, boolean live) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<VMOption> getDiagnosticOptions() {
            return List.copyOf(options.values());
        }

        @Override
        public ObjectName getObjectName() {
            throw new UnsupportedOperationException();
        }
    }
}

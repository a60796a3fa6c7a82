package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.libvirt.domain.CpuMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What guest CPU to ask for.
 *
 * @param mode             the CPU mode; absent = no {@code <cpu>} element, the hypervisor's default model
 * @param disabledFeatures CPU features to hide from the guest
 */
public record CpuPolicy(Optional<CpuMode> mode, List<String> disabledFeatures) {

    /** libvirt's name of IA32_ARCH_CAPABILITIES (MSR 0x10a). */
    public static final String ARCH_CAPABILITIES = "arch-capabilities";

    private static final Pattern FEATURE = Pattern.compile("[a-z0-9_.-]{1,64}");

    public CpuPolicy {
        Objects.requireNonNull(mode, "mode");
        disabledFeatures = List.copyOf(disabledFeatures);
        for (String feature : disabledFeatures) {
            if (!FEATURE.matcher(feature).matches()) {
                throw new IllegalArgumentException("invalid CPU feature name: " + feature);
            }
        }
        if (mode.isEmpty() && !disabledFeatures.isEmpty()) {
            throw new IllegalArgumentException("disabling CPU features needs a CPU mode");
        }
    }

    /** No {@code <cpu>} element: QEMU's default model (under TCG: an emulated, always-safe model). */
    public static CpuPolicy hypervisorDefault() {
        return new CpuPolicy(Optional.empty(), List.of());
    }

    /**
     * The policy for this host: under TCG the hypervisor's default; under KVM {@code host-model}
     * (the host's CPU as a named model, migratable to equal or newer hosts). When this host is
     * itself a virtual machine (nested KVM, as on CI runners), {@code arch-capabilities} is hidden:
     * the outer hypervisor often refuses to let QEMU set that MSR, and QEMU then aborts at start
     * ("failed to set MSR 0x10a"). The guest only loses a hint about CPU vulnerabilities and
     * applies its mitigations unconditionally.
     */
    public static CpuPolicy forHost(VirtType virtType) {
        return forHost(virtType, CpuFlags.CPUINFO);
    }

    static CpuPolicy forHost(VirtType virtType, Path cpuinfo) {
        if (virtType == VirtType.QEMU) {
            return hypervisorDefault();
        }
        List<String> disabled = CpuFlags.runsUnderHypervisor(cpuinfo) ? List.of(ARCH_CAPABILITIES) : List.of();
        return new CpuPolicy(Optional.of(CpuMode.HOST_MODEL), disabled);
    }
}

package dev.computeagent.virt.libvirt.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The guest CPU ({@code <cpu>}).
 *
 * @param mode     how the guest CPU is derived from the host's
 * @param model    a named CPU model ({@code <model>}), used with {@link CpuMode#CUSTOM}
 * @param features features added to or removed from the mode's or model's set, in order
 */
public record Cpu(CpuMode mode, Optional<String> model, List<CpuFeature> features) {

    public Cpu {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(model, "model");
        features = List.copyOf(features);
    }

    public static Cpu of(CpuMode mode) {
        return new Cpu(mode, Optional.empty(), List.of());
    }
}

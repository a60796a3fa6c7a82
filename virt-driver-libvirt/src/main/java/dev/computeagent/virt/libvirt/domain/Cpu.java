package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * The guest CPU ({@code <cpu>}).
 *
 * @param mode  how the guest CPU is derived from the host's
 * @param model a named CPU model ({@code <model>}), used with {@link CpuMode#CUSTOM}
 */
public record Cpu(CpuMode mode, Optional<String> model) {

    public Cpu {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(model, "model");
    }

    public static Cpu of(CpuMode mode) {
        return new Cpu(mode, Optional.empty());
    }
}

package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;

/**
 * A {@code <feature>} of the guest CPU.
 *
 * @param policy whether the feature is required, disabled...
 * @param name   libvirt's feature name, e.g. {@code arch-capabilities}
 */
public record CpuFeature(CpuFeaturePolicy policy, String name) {

    public CpuFeature {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(name, "name");
    }
}

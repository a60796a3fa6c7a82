package dev.computeagent.virt.libvirt.domain;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A random number generator device fed by a host random source ({@code <backend model='random'>}).
 *
 * @param model         the guest device model
 * @param backendSource the host file it reads, e.g. {@code /dev/urandom}
 */
public record Rng(RngModel model, Path backendSource) {

    public Rng {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(backendSource, "backendSource");
    }
}

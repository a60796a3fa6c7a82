package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;

/** The {@code <memballoon>} device. */
public record MemBalloon(MemBalloonModel model) {

    public MemBalloon {
        Objects.requireNonNull(model, "model");
    }
}

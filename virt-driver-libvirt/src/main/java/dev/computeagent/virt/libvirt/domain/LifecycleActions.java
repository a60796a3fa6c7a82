package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;

/**
 * {@code <on_poweroff>}, {@code <on_reboot>} and {@code <on_crash>}.
 */
public record LifecycleActions(LifecycleAction onPoweroff, LifecycleAction onReboot, LifecycleAction onCrash) {

    /** What libvirt does when the elements are absent. */
    public static final LifecycleActions LIBVIRT_DEFAULTS =
            new LifecycleActions(LifecycleAction.DESTROY, LifecycleAction.RESTART, LifecycleAction.DESTROY);

    public LifecycleActions {
        Objects.requireNonNull(onPoweroff, "onPoweroff");
        Objects.requireNonNull(onReboot, "onReboot");
        Objects.requireNonNull(onCrash, "onCrash");
    }
}

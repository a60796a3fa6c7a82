package dev.computeagent.virt.libvirt.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code <os>} element of a full-virtualisation ({@code hvm}) guest.
 *
 * @param arch    the guest architecture; absent = the host's
 * @param machine the machine type, e.g. {@code pc} (libvirt expands it, e.g. {@code pc-i440fx-7.2})
 * @param boot    the boot order
 */
public record Os(Optional<String> arch, Optional<String> machine, List<BootDevice> boot) {

    public Os {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(machine, "machine");
        boot = List.copyOf(boot);
    }
}

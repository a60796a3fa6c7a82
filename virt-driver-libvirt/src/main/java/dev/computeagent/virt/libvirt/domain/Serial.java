package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * A {@code <serial>} port.
 *
 * @param type       the host side of the port
 * @param log        where its output is also logged
 * @param targetPort the guest port number ({@code 0} = ttyS0)
 */
public record Serial(CharDeviceType type, Optional<CharLog> log, int targetPort) {

    public Serial {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(log, "log");
        if (targetPort < 0) {
            throw new IllegalArgumentException("serial target port must be >= 0: " + targetPort);
        }
    }
}

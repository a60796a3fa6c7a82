package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;

/**
 * A {@code <console>}; with target type {@link ConsoleTargetType#SERIAL} it is an alias of the
 * {@link Serial} with the same port.
 *
 * @param type       the host side of the console
 * @param targetType what the guest sees
 * @param targetPort the guest port number
 */
public record Console(CharDeviceType type, ConsoleTargetType targetType, int targetPort) {

    public Console {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(targetType, "targetType");
        if (targetPort < 0) {
            throw new IllegalArgumentException("console target port must be >= 0: " + targetPort);
        }
    }
}

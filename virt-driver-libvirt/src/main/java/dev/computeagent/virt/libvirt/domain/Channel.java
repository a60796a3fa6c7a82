package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;

/**
 * A virtio-serial {@code <channel>}: a named port the guest opens (e.g. the QEMU guest agent's
 * {@code org.qemu.guest_agent.0}), whose host side libvirt creates.
 *
 * @param type       the host side, e.g. {@link CharDeviceType#UNIX} (a socket libvirt places itself)
 * @param targetName the port's name in the guest
 */
public record Channel(CharDeviceType type, String targetName) {

    /** The port name the QEMU guest agent opens in the guest. */
    public static final String QEMU_GUEST_AGENT = "org.qemu.guest_agent.0";

    public Channel {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(targetName, "targetName");
        if (!targetName.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("invalid channel name: " + targetName);
        }
    }
}

package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;

/** A {@code <host name port>} of a network disk's source (an iSCSI portal, a Ceph monitor). */
public record DiskHost(String name, int port) {

    public DiskHost {
        Objects.requireNonNull(name, "name");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}

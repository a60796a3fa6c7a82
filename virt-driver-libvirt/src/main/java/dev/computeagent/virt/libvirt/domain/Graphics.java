package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * A {@code <graphics>} console.
 *
 * @param type    the protocol
 * @param listen  the host address it listens on; absent = the hypervisor's default
 * @param port    a fixed port; absent = libvirt picks a free one ({@code autoport='yes'})
 */
public record Graphics(GraphicsType type, Optional<String> listen, Optional<Integer> port) {

    public Graphics {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(port, "port");
    }
}

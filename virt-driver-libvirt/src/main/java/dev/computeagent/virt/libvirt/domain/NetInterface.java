package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * An {@code <interface>}.
 *
 * @param type   how it is connected
 * @param source the libvirt network ({@link InterfaceType#NETWORK}) or host bridge
 *               ({@link InterfaceType#BRIDGE}); absent for {@link InterfaceType#USER}
 * @param mac    the MAC address; absent = libvirt generates one
 * @param model  the device model, e.g. {@code virtio}; absent = the hypervisor's default
 * @param filter the network filter ({@code <filterref filter=…>}) of its traffic; absent = unfiltered
 */
public record NetInterface(InterfaceType type, Optional<String> source, Optional<String> mac,
                           Optional<String> model, Optional<String> filter) {

    public NetInterface {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(filter, "filter");
    }

    /** An unfiltered interface. */
    public NetInterface(InterfaceType type, Optional<String> source, Optional<String> mac, Optional<String> model) {
        this(type, source, mac, model, Optional.empty());
    }
}

package dev.computeagent.virt;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A network interface.
 *
 * @param type   how the NIC is connected
 * @param source the libvirt network or host bridge name; absent for {@link Type#USER}
 * @param mac    the MAC address ({@code aa:bb:cc:dd:ee:ff}, lower case); absent = the driver picks one
 * @param model  the device model, e.g. {@code virtio}, {@code e1000}
 */
public record NicSpec(Type type, Optional<String> source, Optional<String> mac, String model) {

    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern MODEL = Pattern.compile("[a-z0-9_-]{1,32}");

    /** How a NIC reaches the network. */
    public enum Type { NETWORK, BRIDGE, USER }

    public NicSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        mac = Objects.requireNonNull(mac, "mac").map(m -> m.toLowerCase(Locale.ROOT));
        Objects.requireNonNull(model, "model");
        if (type == Type.USER && source.isPresent()) {
            throw new IllegalArgumentException("a user-mode NIC has no source");
        }
        if (type != Type.USER && source.isEmpty()) {
            throw new IllegalArgumentException(type + " NIC needs a source");
        }
        source.ifPresent(s -> {
            if (!NAME.matcher(s).matches()) {
                throw new IllegalArgumentException("invalid NIC source name: " + s);
            }
        });
        mac.ifPresent(m -> {
            if (!MAC.matcher(m).matches()) {
                throw new IllegalArgumentException("invalid MAC address: " + m);
            }
        });
        if (!MODEL.matcher(model).matches()) {
            throw new IllegalArgumentException("invalid NIC model: " + model);
        }
    }

    public static NicSpec network(String network) {
        return new NicSpec(Type.NETWORK, Optional.of(network), Optional.empty(), "virtio");
    }

    public static NicSpec bridge(String bridge) {
        return new NicSpec(Type.BRIDGE, Optional.of(bridge), Optional.empty(), "virtio");
    }

    public static NicSpec user() {
        return new NicSpec(Type.USER, Optional.empty(), Optional.empty(), "virtio");
    }
}

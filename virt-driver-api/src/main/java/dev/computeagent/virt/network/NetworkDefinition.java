package dev.computeagent.virt.network;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A host network as the agent's configuration asks for it.
 *
 * @param name   the network's name, what a NIC of type {@code network} names as its source: 1–32 of
 *               {@code [A-Za-z0-9_.-]}
 * @param mode   how it reaches the outside
 * @param subnet the host's subnet with its DHCP range: required for {@link NetworkMode#NAT} and
 *               {@link NetworkMode#ISOLATED}, absent for {@link NetworkMode#BRIDGE}
 * @param bridge the host's Linux bridge: required for {@link NetworkMode#BRIDGE} (the caller creates it),
 *               absent otherwise (the hypervisor names the bridge it creates)
 */
public record NetworkDefinition(String name, NetworkMode mode, Optional<Ipv4Subnet> subnet, Optional<String> bridge) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    /** A Linux interface name: at most 15 bytes. */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /** @throws IllegalArgumentException a bad name, or a subnet or bridge where the mode wants none (or lacks one) */
    public NetworkDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(bridge, "bridge");
        checkName(name);
        bridge.ifPresent(b -> {
            if (!INTERFACE.matcher(b).matches()) {
                throw new IllegalArgumentException("bridge name must be 1-15 chars of [A-Za-z0-9_.-]: " + b);
            }
        });
        if (mode == NetworkMode.BRIDGE) {
            if (bridge.isEmpty() || subnet.isPresent()) {
                throw new IllegalArgumentException("a bridge network " + name + " takes a bridge and no subnet");
            }
        } else if (subnet.isEmpty() || bridge.isPresent()) {
            throw new IllegalArgumentException("a " + mode.name().toLowerCase(Locale.ROOT) + " network "
                    + name + " takes a subnet and no bridge");
        }
    }

    /** @throws IllegalArgumentException {@code name} is not 1–32 of {@code [A-Za-z0-9_.-]} */
    public static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("network name must be 1-32 chars of [A-Za-z0-9_.-]: " + name);
        }
        return name;
    }

    public static NetworkDefinition nat(String name, Ipv4Subnet subnet) {
        return new NetworkDefinition(name, NetworkMode.NAT, Optional.of(subnet), Optional.empty());
    }

    public static NetworkDefinition isolated(String name, Ipv4Subnet subnet) {
        return new NetworkDefinition(name, NetworkMode.ISOLATED, Optional.of(subnet), Optional.empty());
    }

    public static NetworkDefinition bridged(String name, String bridge) {
        return new NetworkDefinition(name, NetworkMode.BRIDGE, Optional.empty(), Optional.of(bridge));
    }
}

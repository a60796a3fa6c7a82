package dev.computeagent.agent.network;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A VLAN sub-interface {@code <parent>.<id>} of a host interface, joined to a bridge network's bridge (Nova's
 * {@code linux_net} VLAN bridges).
 *
 * @param parent the host interface carrying the tagged traffic, e.g. {@code eth1}
 * @param id     the VLAN id, 1–4094
 */
public record VlanLink(String parent, int id) {

    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_-]{1,15}");

    /** @throws IllegalArgumentException a bad interface name, an id outside 1–4094, a name above 15 bytes */
    public VlanLink {
        Objects.requireNonNull(parent, "parent");
        if (!INTERFACE.matcher(parent).matches()) {
            throw new IllegalArgumentException("vlan-parent must be 1-15 chars of [A-Za-z0-9_-]: " + parent);
        }
        if (id < 1 || id > 4094) {
            throw new IllegalArgumentException("vlan-id must be within [1, 4094]: " + id);
        }
        if (parent.length() + 1 + Integer.toString(id).length() > 15) {
            throw new IllegalArgumentException("VLAN interface " + parent + "." + id + " is longer than 15 bytes");
        }
    }

    /** The sub-interface's name, {@code <parent>.<id>}. */
    public String interfaceName() {
        return parent + "." + id;
    }
}

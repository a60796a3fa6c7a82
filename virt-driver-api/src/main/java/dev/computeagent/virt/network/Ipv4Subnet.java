package dev.computeagent.virt.network;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An IPv4 subnet the host routes for its guests: the host's own address in it (the guests' gateway and DHCP
 * server), its prefix length and the DHCP range.
 *
 * @param gateway   the host's address, e.g. {@code 10.77.0.1}
 * @param prefix    8–30
 * @param dhcpStart first address handed out by DHCP
 * @param dhcpEnd   last address handed out by DHCP
 */
public record Ipv4Subnet(String gateway, int prefix, String dhcpStart, String dhcpEnd) {

    private static final Pattern DOTTED = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /** @throws IllegalArgumentException a malformed address, a prefix outside 8–30, a range outside the subnet */
    public Ipv4Subnet {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(dhcpStart, "dhcpStart");
        Objects.requireNonNull(dhcpEnd, "dhcpEnd");
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("prefix must be within [8, 30]: " + prefix);
        }
        long network = toLong(gateway) & mask(prefix);
        long broadcast = network | ~mask(prefix) & 0xffffffffL;
        long start = toLong(dhcpStart);
        long end = toLong(dhcpEnd);
        long host = toLong(gateway);
        if (host == network || host == broadcast) {
            throw new IllegalArgumentException("gateway " + gateway + " is not a host address of /" + prefix);
        }
        if (start <= network || end >= broadcast || start > end) {
            throw new IllegalArgumentException("DHCP range " + dhcpStart + "-" + dhcpEnd + " is not inside "
                    + toDotted(network) + "/" + prefix);
        }
        if (host >= start && host <= end) {
            throw new IllegalArgumentException("DHCP range " + dhcpStart + "-" + dhcpEnd + " holds the gateway "
                    + gateway);
        }
    }

    /**
     * {@code cidr} such as {@code 10.77.0.0/24}: the gateway is its first host address; the DHCP range, when not
     * given, the second host address to the last.
     *
     * @throws IllegalArgumentException not an IPv4 CIDR, or the values the constructor refuses
     */
    public static Ipv4Subnet of(String cidr, String dhcpStart, String dhcpEnd) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR (address/prefix): " + cidr);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR (address/prefix): " + cidr, e);
        }
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("prefix must be within [8, 30]: " + cidr);
        }
        long network = toLong(cidr.substring(0, slash)) & mask(prefix);
        long broadcast = network | ~mask(prefix) & 0xffffffffL;
        return new Ipv4Subnet(toDotted(network + 1), prefix,
                dhcpStart.isEmpty() ? toDotted(network + 2) : dhcpStart,
                dhcpEnd.isEmpty() ? toDotted(broadcast - 1) : dhcpEnd);
    }

    /** The subnet as {@code network/prefix}, e.g. {@code 10.77.0.0/24}. */
    public String cidr() {
        return toDotted(toLong(gateway) & mask(prefix)) + "/" + prefix;
    }

    /** The prefix as a dotted netmask, e.g. {@code 255.255.255.0}. */
    public String netmask() {
        return toDotted(mask(prefix));
    }

    private static long mask(int prefix) {
        return (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    }

    static long toLong(String dotted) {
        var m = DOTTED.matcher(dotted);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an IPv4 address: " + dotted);
        }
        long value = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + dotted);
            }
            value = value << 8 | octet;
        }
        return value;
    }

    static String toDotted(long value) {
        return (value >> 24 & 0xff) + "." + (value >> 16 & 0xff) + "." + (value >> 8 & 0xff) + "." + (value & 0xff);
    }
}

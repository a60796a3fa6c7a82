package dev.computeagent.virt;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One IP address of a network interface.
 *
 * @param address      the address in its canonical text form ({@code 10.0.0.5}, {@code fe80::1})
 * @param prefixLength the network prefix length, 0-32 for IPv4, 0-128 for IPv6
 */
public record IpAddress(String address, int prefixLength) {

    public IpAddress {
        Objects.requireNonNull(address, "address");
        int max = address.contains(":") ? 128 : 32;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for " + address);
        }
    }

    /** The address of {@code inet} in canonical form. */
    public static IpAddress of(InetAddress inet, int prefixLength) {
        return new IpAddress(inet.getHostAddress(), prefixLength);
    }
}

package dev.computeagent.virt;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One IP address of a network interface.
 *
 * @param address      the address in its canonical text form: dotted quad for IPv4, RFC 5952 for IPv6
 *                     ({@code 10.0.0.5}, {@code fe80::5054:ff:fe12:3456})
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

    /** The address of {@code inet} in canonical form (Java's own IPv6 text form is not RFC 5952's). */
    public static IpAddress of(InetAddress inet, int prefixLength) {
        return new IpAddress(inet instanceof Inet6Address ? rfc5952(inet.getAddress()) : inet.getHostAddress(),
                prefixLength);
    }

    /** Lower-case hex groups without leading zeros, the first longest run of two or more zero groups as "::". */
    private static String rfc5952(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int length = 0;
            while (i + length < 8 && groups[i + length] == 0) {
                length++;
            }
            if (length > bestLength) {
                bestStart = i;
                bestLength = length;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}

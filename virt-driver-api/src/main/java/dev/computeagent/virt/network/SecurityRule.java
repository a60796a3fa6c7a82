package dev.computeagent.virt.network;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One allow rule of an instance's security groups (Neutron's security group rule): traffic matching it is let
 * through, everything else coming in is dropped.
 *
 * @param direction  {@link Direction#INGRESS}: to the instance; {@link Direction#EGRESS}: from it
 * @param protocol   what it matches
 * @param portMin    first port (TCP/UDP only; 1–65535)
 * @param portMax    last port (TCP/UDP only; at least {@code portMin}); both absent = every port
 * @param remoteCidr the other end's addresses ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); absent = anywhere
 * @param ethertype  the IP version it matches; a remote CIDR must be of it
 */
public record SecurityRule(Direction direction, Protocol protocol, Optional<Integer> portMin,
                           Optional<Integer> portMax, Optional<String> remoteCidr, Ethertype ethertype) {

    private static final Pattern IPV4_CIDR = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}");
    private static final Pattern IPV6_CIDR = Pattern.compile("[0-9A-Fa-f:]{2,39}/\\d{1,3}");

    /** Whose traffic the rule lets through. */
    public enum Direction { INGRESS, EGRESS }

    /** The protocol a rule matches; {@link #ANY} = every IP protocol. */
    public enum Protocol { TCP, UDP, ICMP, ANY }

    /** The IP version a rule matches. */
    public enum Ethertype { IPV4, IPV6 }

    /** @throws IllegalArgumentException ports on a protocol without ports, a bad range, a CIDR not of the ethertype */
    public SecurityRule {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(portMin, "portMin");
        Objects.requireNonNull(portMax, "portMax");
        Objects.requireNonNull(remoteCidr, "remoteCidr");
        Objects.requireNonNull(ethertype, "ethertype");
        if (portMin.isPresent() != portMax.isPresent()) {
            throw new IllegalArgumentException("a port range needs both ends");
        }
        if (portMin.isPresent()) {
            if (protocol != Protocol.TCP && protocol != Protocol.UDP) {
                throw new IllegalArgumentException("only tcp and udp rules take a port range");
            }
            int min = portMin.get();
            int max = portMax.get();
            if (min < 1 || max > 65535 || min > max) {
                throw new IllegalArgumentException("port range must be within [1, 65535], min <= max: " + min + "-"
                        + max);
            }
        }
        remoteCidr.ifPresent(cidr -> {
            boolean v4 = IPV4_CIDR.matcher(cidr).matches();
            boolean v6 = IPV6_CIDR.matcher(cidr).matches() && cidr.contains(":");
            if (ethertype == Ethertype.IPV4 ? !v4 : !v6) {
                throw new IllegalArgumentException("remote_cidr " + cidr + " is not an "
                        + (ethertype == Ethertype.IPV4 ? "IPv4" : "IPv6") + " CIDR");
            }
            int prefix = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
            if (prefix > (ethertype == Ethertype.IPV4 ? 32 : 128)) {
                throw new IllegalArgumentException("remote_cidr " + cidr + " has a prefix too long");
            }
            if (v4) {
                for (String octet : cidr.substring(0, cidr.indexOf('/')).split("\\.")) {
                    if (Integer.parseInt(octet) > 255) {
                        throw new IllegalArgumentException("remote_cidr " + cidr + " is not an IPv4 CIDR");
                    }
                }
            }
        });
    }

    /** The remote CIDR's address part. */
    public Optional<String> remoteAddress() {
        return remoteCidr.map(c -> c.substring(0, c.indexOf('/')));
    }

    /** The remote CIDR's prefix length. */
    public Optional<Integer> remotePrefix() {
        return remoteCidr.map(c -> Integer.parseInt(c.substring(c.indexOf('/') + 1)));
    }
}

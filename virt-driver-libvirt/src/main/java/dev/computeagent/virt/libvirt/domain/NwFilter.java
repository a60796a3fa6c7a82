package dev.computeagent.virt.libvirt.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A libvirt network filter ({@code <filter chain='root'>}): references to other filters, then rules.
 *
 * @param name       the filter's name
 * @param uuid       its uuid
 * @param filterRefs filters it includes first, e.g. {@code clean-traffic}
 * @param rules      its own rules
 */
public record NwFilter(String name, UUID uuid, List<String> filterRefs, List<Rule> rules) {

    public NwFilter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uuid, "uuid");
        filterRefs = List.copyOf(filterRefs);
        rules = List.copyOf(rules);
    }

    /** {@code action} of a rule. */
    public enum Action implements XmlValue {
        ACCEPT("accept"), DROP("drop");

        private final String xmlName;

        Action(String xmlName) {
            this.xmlName = xmlName;
        }

        @Override
        public String xmlName() {
            return xmlName;
        }
    }

    /** {@code direction} of a rule: {@code in} is traffic to the guest, {@code out} from it. */
    public enum Direction implements XmlValue {
        IN("in"), OUT("out"), INOUT("inout");

        private final String xmlName;

        Direction(String xmlName) {
            this.xmlName = xmlName;
        }

        @Override
        public String xmlName() {
            return xmlName;
        }
    }

    /** The protocol element of a rule (iptables level: libvirt tracks connection state for these). */
    public enum Protocol implements XmlValue {
        TCP("tcp"), UDP("udp"), ICMP("icmp"), ALL("all"),
        TCP_IPV6("tcp-ipv6"), UDP_IPV6("udp-ipv6"), ICMPV6("icmpv6"), ALL_IPV6("all-ipv6");

        private final String xmlName;

        Protocol(String xmlName) {
            this.xmlName = xmlName;
        }

        @Override
        public String xmlName() {
            return xmlName;
        }

        public boolean hasPorts() {
            return this == TCP || this == UDP || this == TCP_IPV6 || this == UDP_IPV6;
        }
    }

    /** An address and prefix length ({@code srcipaddr}/{@code srcipmask} or the {@code dst} pair). */
    public record Address(String address, int prefix) {
        public Address {
            Objects.requireNonNull(address, "address");
        }
    }

    /** A port range ({@code srcportstart}/{@code srcportend} or the {@code dst} pair). */
    public record Ports(int start, int end) {
    }

    /**
     * One {@code <rule>} with its protocol element.
     *
     * @param priority -1000–1000, lower first
     */
    public record Rule(Action action, Direction direction, int priority, Protocol protocol, Optional<Address> source,
                       Optional<Address> destination, Optional<Ports> sourcePorts, Optional<Ports> destinationPorts) {

        public Rule {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(sourcePorts, "sourcePorts");
            Objects.requireNonNull(destinationPorts, "destinationPorts");
            if ((sourcePorts.isPresent() || destinationPorts.isPresent()) && !protocol.hasPorts()) {
                throw new IllegalArgumentException(protocol.xmlName() + " has no ports");
            }
        }

        /** A rule on the whole protocol. */
        public static Rule of(Action action, Direction direction, int priority, Protocol protocol) {
            return new Rule(action, direction, priority, protocol, Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty());
        }
    }
}

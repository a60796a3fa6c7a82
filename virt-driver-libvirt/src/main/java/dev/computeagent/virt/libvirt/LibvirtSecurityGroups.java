package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.libvirt.domain.DomainNames;
import dev.computeagent.virt.libvirt.domain.DomainXmlException;
import dev.computeagent.virt.libvirt.domain.NwFilter;
import dev.computeagent.virt.libvirt.domain.NwFilter.Action;
import dev.computeagent.virt.libvirt.domain.NwFilter.Address;
import dev.computeagent.virt.libvirt.domain.NwFilter.Direction;
import dev.computeagent.virt.libvirt.domain.NwFilter.Ports;
import dev.computeagent.virt.libvirt.domain.NwFilter.Protocol;
import dev.computeagent.virt.libvirt.domain.NwFilter.Rule;
import dev.computeagent.virt.libvirt.domain.NwFilterXml;
import dev.computeagent.virt.network.SecurityGroupDriver;
import dev.computeagent.virt.network.SecurityRule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Security groups as one libvirt nwfilter per instance, {@code ca-sg-<uuid>}, which every filtered NIC of the
 * instance references ({@link #filterName}). libvirt applies a redefined filter to the running guests that use
 * it at once, so {@link #apply} is also how rules change live. Rules are iptables-level with libvirt's
 * connection tracking: an allowed connection's replies pass in the other direction.
 */
public final class LibvirtSecurityGroups implements SecurityGroupDriver {

    /** libvirt's anti-spoofing filter: the NIC's MAC, the IP it uses, ARP, no other L2 traffic. */
    static final String CLEAN_TRAFFIC = "clean-traffic";
    private static final int DHCP_PRIORITY = 100;
    private static final int RULE_PRIORITY = 500;
    private static final int EGRESS_DEFAULT_PRIORITY = 900;
    private static final int DROP_PRIORITY = 1000;

    private final ConnectionManager connections;

    public LibvirtSecurityGroups(ConnectionManager connections) {
        this.connections = connections;
    }

    /** The filter of {@code instance}, as its NICs reference it. */
    public static String filterName(UUID instance) {
        return DomainNames.securityGroupFilter(instance);
    }

    @Override
    public void apply(UUID instance, List<SecurityRule> rules) {
        String xml;
        try {
            xml = NwFilterXml.render(filter(instance, rules));
        } catch (DomainXmlException e) {
            throw new InvalidSpecException("cannot render the security groups of " + instance + ": " + e.getMessage(),
                    e);
        }
        connections.call(connection -> {
            connection.defineNwfilter(xml);
            return null;
        });
    }

    @Override
    public void remove(UUID instance) {
        connections.call(connection -> connection.undefineNwfilter(filterName(instance)));
    }

    @Override
    public Set<UUID> filteredInstances() {
        return connections.call(connection -> connection.nwfilterNames().stream()
                .flatMap(name -> DomainNames.uuidOfSecurityGroupFilter(name).stream())
                .collect(Collectors.toUnmodifiableSet()));
    }

    /** The filter: anti-spoofing, DHCP replies, the allow rules, egress unless restricted, then drop. */
    static NwFilter filter(UUID instance, List<SecurityRule> rules) {
        List<Rule> out = new ArrayList<>();
        // the DHCP exchange before the guest has an address is no connection conntrack could relate
        out.add(new Rule(Action.ACCEPT, Direction.OUT, DHCP_PRIORITY, Protocol.UDP, Optional.empty(),
                Optional.empty(), Optional.of(new Ports(68, 68)), Optional.of(new Ports(67, 67))));
        out.add(new Rule(Action.ACCEPT, Direction.IN, DHCP_PRIORITY, Protocol.UDP, Optional.empty(),
                Optional.empty(), Optional.of(new Ports(67, 67)), Optional.of(new Ports(68, 68))));
        for (SecurityRule rule : rules) {
            out.add(rule(rule));
        }
        if (rules.stream().noneMatch(r -> r.direction() == SecurityRule.Direction.EGRESS)) {
            out.add(Rule.of(Action.ACCEPT, Direction.OUT, EGRESS_DEFAULT_PRIORITY, Protocol.ALL));
            out.add(Rule.of(Action.ACCEPT, Direction.OUT, EGRESS_DEFAULT_PRIORITY, Protocol.ALL_IPV6));
        }
        out.add(Rule.of(Action.DROP, Direction.INOUT, DROP_PRIORITY, Protocol.ALL));
        out.add(Rule.of(Action.DROP, Direction.INOUT, DROP_PRIORITY, Protocol.ALL_IPV6));
        return new NwFilter(filterName(instance), filterUuid(instance), List.of(CLEAN_TRAFFIC), out);
    }

    private static Rule rule(SecurityRule rule) {
        boolean ingress = rule.direction() == SecurityRule.Direction.INGRESS;
        Optional<Address> remote = rule.remoteAddress().map(a -> new Address(a, rule.remotePrefix().orElseThrow()));
        Optional<Ports> ports = rule.portMin().map(min -> new Ports(min, rule.portMax().orElseThrow()));
        return new Rule(Action.ACCEPT, ingress ? Direction.IN : Direction.OUT, RULE_PRIORITY, protocol(rule),
                ingress ? remote : Optional.empty(), ingress ? Optional.empty() : remote, Optional.empty(), ports);
    }

    private static Protocol protocol(SecurityRule rule) {
        boolean v4 = rule.ethertype() == SecurityRule.Ethertype.IPV4;
        return switch (rule.protocol()) {
            case TCP -> v4 ? Protocol.TCP : Protocol.TCP_IPV6;
            case UDP -> v4 ? Protocol.UDP : Protocol.UDP_IPV6;
            case ICMP -> v4 ? Protocol.ICMP : Protocol.ICMPV6;
            case ANY -> v4 ? Protocol.ALL : Protocol.ALL_IPV6;
        };
    }

    private static UUID filterUuid(UUID instance) {
        return UUID.nameUUIDFromBytes(("compute-agent:nwfilter:" + instance).getBytes(StandardCharsets.UTF_8));
    }
}

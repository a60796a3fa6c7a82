package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.network.SecurityRule;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One entry of {@code security_groups} ({@code spawn.args}, {@code set_security_groups.args}): an allow rule.
 * {@code direction} ingress|egress, {@code protocol} tcp|udp|icmp|any, {@code port_range} (tcp/udp only) absent =
 * every port, {@code remote_cidr} absent = anywhere, {@code ethertype} IPv4 (default) or IPv6.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecurityRuleArgs(
        @JsonProperty("direction") String direction,
        @JsonProperty("protocol") String protocol,
        @JsonProperty("port_range") @Nullable PortRange portRange,
        @JsonProperty("remote_cidr") @Nullable String remoteCidr,
        @JsonProperty("ethertype") @Nullable String ethertype) {

    /** {@code port_range}: {@code min} to {@code max}, both included. */
    public record PortRange(@JsonProperty("min") int min, @JsonProperty("max") int max) {
    }

    /** The wire form of a rule. */
    public static SecurityRuleArgs of(SecurityRule rule) {
        return new SecurityRuleArgs(rule.direction().name().toLowerCase(Locale.ROOT),
                rule.protocol().name().toLowerCase(Locale.ROOT),
                rule.portMin().map(min -> new PortRange(min, rule.portMax().orElseThrow())).orElse(null),
                rule.remoteCidr().orElse(null), rule.ethertype() == SecurityRule.Ethertype.IPV4 ? "IPv4" : "IPv6");
    }

    /**
     * This rule, validated.
     *
     * @throws IllegalArgumentException an unknown direction, protocol or ethertype, or a value {@link SecurityRule}
     *                                  refuses
     */
    public SecurityRule toRule() {
        SecurityRule.Direction dir = switch (direction) {
            case "ingress" -> SecurityRule.Direction.INGRESS;
            case "egress" -> SecurityRule.Direction.EGRESS;
            default -> throw new IllegalArgumentException("direction must be ingress or egress");
        };
        SecurityRule.Protocol proto = switch (protocol) {
            case "tcp" -> SecurityRule.Protocol.TCP;
            case "udp" -> SecurityRule.Protocol.UDP;
            case "icmp" -> SecurityRule.Protocol.ICMP;
            case "any" -> SecurityRule.Protocol.ANY;
            default -> throw new IllegalArgumentException("protocol must be tcp, udp, icmp or any");
        };
        SecurityRule.Ethertype type = switch (ethertype == null ? "IPv4" : ethertype) {
            case "IPv4" -> SecurityRule.Ethertype.IPV4;
            case "IPv6" -> SecurityRule.Ethertype.IPV6;
            default -> throw new IllegalArgumentException("ethertype must be IPv4 or IPv6");
        };
        return new SecurityRule(dir, proto, Optional.ofNullable(portRange).map(PortRange::min),
                Optional.ofNullable(portRange).map(PortRange::max), Optional.ofNullable(remoteCidr), type);
    }
}

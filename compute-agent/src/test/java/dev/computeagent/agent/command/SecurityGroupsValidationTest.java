package dev.computeagent.agent.command;

import static dev.computeagent.agent.command.CommandValidatorTest.envelope;
import static dev.computeagent.agent.command.CommandValidatorTest.spawnArgs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.SetSecurityGroupsArgs;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.virt.network.SecurityRule;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code security_groups} of spawn and {@code set_security_groups}: every rule checked, the field named. */
class SecurityGroupsValidationTest {

    private final CommandValidator validator = new CommandValidator(CommandValidatorTest.HOST, AgentJson.mapper());

    private Validation validate(String body) {
        return validator.validate(body.getBytes(StandardCharsets.UTF_8), CommandValidatorTest.KEY);
    }

    @Test
    void spawnWithRulesCarriesThemAndASpawnWithoutHasNoFilter() {
        Validation v = validate(envelope("spawn", spawnArgs(",\"security_groups\":[{\"direction\":\"ingress\","
                + "\"protocol\":\"tcp\",\"port_range\":{\"min\":22,\"max\":22},\"remote_cidr\":\"10.0.0.0/8\"},"
                + "{\"direction\":\"egress\",\"protocol\":\"any\",\"ethertype\":\"IPv6\"}]")));
        Validation none = validate(envelope("spawn", spawnArgs("")));
        Validation empty = validate(envelope("spawn", spawnArgs(",\"security_groups\":[]")));

        SpawnArgs args = (SpawnArgs) ((Validation.Accepted) v).command().args();
        assertThat(args.securityRules().orElseThrow()).containsExactly(
                new SecurityRule(SecurityRule.Direction.INGRESS, SecurityRule.Protocol.TCP, Optional.of(22),
                        Optional.of(22), Optional.of("10.0.0.0/8"), SecurityRule.Ethertype.IPV4),
                new SecurityRule(SecurityRule.Direction.EGRESS, SecurityRule.Protocol.ANY, Optional.empty(),
                        Optional.empty(), Optional.empty(), SecurityRule.Ethertype.IPV6));
        assertThat(((SpawnArgs) ((Validation.Accepted) none).command().args()).securityRules()).isEmpty();
        assertThat(((SpawnArgs) ((Validation.Accepted) empty).command().args()).securityRules()).contains(
                List.of());
    }

    @Test
    void setSecurityGroupsNeedsItsList() {
        Validation ok = validate(envelope("set_security_groups", "{\"security_groups\":[{\"direction\":\"ingress\","
                + "\"protocol\":\"icmp\"}]}"));
        Validation missing = validate(envelope("set_security_groups", "{}"));

        assertThat(((SetSecurityGroupsArgs) ((Validation.Accepted) ok).command().args()).rules()).hasSize(1);
        assertThat(((Validation.Rejected) missing).reason()).contains("args.security_groups is required");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"direction\":\"sideways\",\"protocol\":\"tcp\"} | args.security_groups[0]: direction must be ingress or egress",
            "{\"direction\":\"ingress\",\"protocol\":\"icmp\",\"port_range\":{\"min\":1,\"max\":2}} | args.security_groups[0]: only tcp and udp rules take a port range",
            "{\"direction\":\"ingress\",\"protocol\":\"tcp\",\"port_range\":{\"min\":90,\"max\":80}} | args.security_groups[0]: port range must be within",
            "{\"direction\":\"ingress\",\"protocol\":\"tcp\",\"port_range\":{\"min\":0,\"max\":80}} | args.security_groups[0].port_range.min must be within [1, 65535]",
            "{\"direction\":\"ingress\",\"protocol\":\"tcp\",\"remote_cidr\":\"10.0.0.300/8\"} | args.security_groups[0]: remote_cidr 10.0.0.300/8 is not an IPv4 CIDR",
            "{\"direction\":\"ingress\",\"protocol\":\"tcp\",\"remote_cidr\":\"10.0.0.0/8\",\"ethertype\":\"IPv6\"} | is not an IPv6 CIDR",
            "{\"direction\":\"ingress\",\"protocol\":\"tcp\",\"ethertype\":\"ipx\"} | ethertype must be IPv4 or IPv6",
            "7 | args.security_groups[0] must be an object",
    })
    void aBadRuleIsRejectedNamingIt(String rule, String reason) {
        Validation v = validate(envelope("spawn", spawnArgs(",\"security_groups\":[" + rule + "]")));

        assertThat(v).isInstanceOf(Validation.Rejected.class);
        assertThat(((Validation.Rejected) v).reason()).contains(reason);
    }
}

package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.network.SecurityRule;
import java.util.List;

/**
 * {@code set_security_groups.args}: the instance's new allow rules (at most 64, each valid), replacing the old
 * ones on the running instance. An empty list lets nothing in.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SetSecurityGroupsArgs(
        @JsonProperty("security_groups") List<SecurityRuleArgs> securityGroups) implements CommandArgs {

    public SetSecurityGroupsArgs {
        securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
    }

    /** The rules as the driver takes them. @throws IllegalArgumentException a rule the validator would refuse */
    public List<SecurityRule> rules() {
        return securityGroups.stream().map(SecurityRuleArgs::toRule).toList();
    }
}

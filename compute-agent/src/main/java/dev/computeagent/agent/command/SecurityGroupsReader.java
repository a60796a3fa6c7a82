package dev.computeagent.agent.command;

import static dev.computeagent.agent.command.JsonFields.optionalInt;
import static dev.computeagent.agent.command.JsonFields.optionalString;
import static dev.computeagent.agent.command.JsonFields.requiredString;

import dev.computeagent.agent.message.SecurityRuleArgs;
import dev.computeagent.agent.message.SetSecurityGroupsArgs;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** {@code security_groups} of {@code spawn.args} and {@code set_security_groups.args}, with every rule. */
final class SecurityGroupsReader {

    static final int MAX_RULES = 64;

    private SecurityGroupsReader() {
    }

    /** {@code set_security_groups.args}: the list is required (empty = nothing let in). */
    static SetSecurityGroupsArgs set(JsonNode a) {
        JsonNode rules = a.get("security_groups");
        if (rules == null || rules.isNull()) {
            throw new Invalid("args.security_groups is required");
        }
        return new SetSecurityGroupsArgs(rules(rules, "args."));
    }

    /** The rules, or null when absent (the spawn's NICs are then not filtered). */
    static @Nullable List<SecurityRuleArgs> optional(@Nullable JsonNode rules, String prefix) {
        return rules == null || rules.isNull() ? null : rules(rules, prefix);
    }

    private static List<SecurityRuleArgs> rules(JsonNode rules, String prefix) {
        if (!rules.isArray()) {
            throw new Invalid(prefix + "security_groups must be an array");
        }
        if (rules.size() > MAX_RULES) {
            throw new Invalid(prefix + "security_groups has more than " + MAX_RULES + " entries");
        }
        List<SecurityRuleArgs> result = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            result.add(rule(rules.get(i), prefix + "security_groups[" + i + "]"));
        }
        return result;
    }

    private static SecurityRuleArgs rule(JsonNode r, String where) {
        if (!r.isObject()) {
            throw new Invalid(where + " must be an object");
        }
        SecurityRuleArgs.PortRange ports = null;
        JsonNode range = r.get("port_range");
        if (range != null && !range.isNull()) {
            if (!range.isObject()) {
                throw new Invalid(where + ".port_range must be an object {min, max}");
            }
            Integer min = optionalInt(range, where + ".port_range.min", "min", 1, 65535);
            Integer max = optionalInt(range, where + ".port_range.max", "max", 1, 65535);
            if (min == null || max == null) {
                throw new Invalid(where + ".port_range needs min and max");
            }
            ports = new SecurityRuleArgs.PortRange(min, max);
        }
        SecurityRuleArgs args = new SecurityRuleArgs(requiredString(r, where + ".direction", "direction"),
                requiredString(r, where + ".protocol", "protocol"), ports,
                optionalString(r, where + ".remote_cidr", "remote_cidr").orElse(null),
                optionalString(r, where + ".ethertype", "ethertype").orElse(null));
        try {
            args.toRule();
        } catch (IllegalArgumentException e) {
            throw new Invalid(where + ": " + e.getMessage());
        }
        return args;
    }
}

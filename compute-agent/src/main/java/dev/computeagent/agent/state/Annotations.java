package dev.computeagent.agent.state;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.SecurityRuleArgs;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.PowerState;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The agent's annotations stored with every instance (docs/architecture.md, "Where state lives"): its state, when it was
 * created, the spawn request and a fingerprint of the spawn spec, the last error. They are what
 * start-up recovery reads; values are plain strings.
 */
public final class Annotations {

    public static final String STATE = "state";
    public static final String CREATED_AT = "created_at";
    public static final String SPAWN_REQUEST = "spawn_request";
    public static final String SPEC_SHA256 = "spec_sha256";
    public static final String LAST_ERROR = "last_error";
    /** The request id of the last {@code resize}, {@code confirm_resize} or {@code revert_resize} that finished. */
    public static final String RESIZE_REQUEST = "resize_request";
    /** The request id of the last {@code rescue} or {@code unrescue} that changed the instance's definition. */
    public static final String RESCUE_REQUEST = "rescue_request";
    /** The request id of the last {@code rebuild} that finished (a redelivery of it is answered, not run again). */
    public static final String REBUILD_REQUEST = "rebuild_request";
    /**
     * The instance's security group rules (their wire form, a JSON array) when it was spawned with security
     * groups: its NICs reference its filter. Travels with the instance, so a migration's destination gets them.
     */
    public static final String SECURITY_GROUPS = "security_groups";

    private Annotations() {
    }

    /** The recorded state; absent or unreadable = derived from the power state. */
    public static InstanceState state(InstanceMetadata metadata, PowerState power) {
        String s = metadata.annotations().get(STATE);
        if (s != null) {
            try {
                return InstanceState.valueOf(s);
            } catch (IllegalArgumentException ignored) {
                // fall through: an unknown value is treated like a missing one
            }
        }
        return fromPower(power);
    }

    /**
     * The state the instance is in now: the recorded one, an idle state following the power state
     * ({@link InstanceStateMachine#current}).
     */
    public static InstanceState current(InstanceMetadata metadata, PowerState power) {
        return InstanceStateMachine.current(state(metadata, power), power);
    }

    /** The state an idle instance in {@code power} is in. */
    public static InstanceState fromPower(PowerState power) {
        return switch (power) {
            case RUNNING -> InstanceState.ACTIVE;
            case PAUSED -> InstanceState.PAUSED;
            case SHUTDOWN, CRASHED, NOSTATE -> InstanceState.STOPPED;
        };
    }

    public static Optional<Instant> createdAt(InstanceMetadata metadata) {
        String s = metadata.annotations().get(CREATED_AT);
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(s));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** {@code current} with {@code key} set to {@code value}. */
    public static Map<String, String> with(Map<String, String> current, String key, String value) {
        Map<String, String> next = new HashMap<>(current);
        next.put(key, value);
        return next;
    }

    /** {@code current} with {@code state} and {@code lastError} (null removes it). */
    public static Map<String, String> with(Map<String, String> current, InstanceState state, @Nullable String lastError) {
        Map<String, String> next = new HashMap<>(current);
        next.put(STATE, state.name());
        if (lastError == null) {
            next.remove(LAST_ERROR);
        } else {
            next.put(LAST_ERROR, lastError.length() > 1024 ? lastError.substring(0, 1024) : lastError);
        }
        return next;
    }

    /** Whether the instance's NICs are filtered by its security groups. */
    public static boolean hasSecurityGroups(InstanceMetadata metadata) {
        return metadata.annotations().containsKey(SECURITY_GROUPS);
    }

    /** The instance's security group rules; empty when its NICs are not filtered. */
    public static Optional<List<SecurityRuleArgs>> securityGroups(InstanceMetadata metadata) {
        String json = metadata.annotations().get(SECURITY_GROUPS);
        return json == null ? Optional.empty()
                : Optional.of(List.of(AgentJson.mapper().readValue(json, SecurityRuleArgs[].class)));
    }

    /** {@code current} with the security group rules {@code rules}. */
    public static Map<String, String> withSecurityGroups(Map<String, String> current, List<SecurityRuleArgs> rules) {
        Map<String, String> next = new HashMap<>(current);
        next.put(SECURITY_GROUPS, AgentJson.mapper().writeValueAsString(rules));
        return next;
    }
}

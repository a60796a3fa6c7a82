package dev.computeagent.agent.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.computeagent.agent.message.MigrationProgressPayload;
import dev.computeagent.agent.state.InstanceView;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code GET /v1/instances/{uuid}}: the instance's fields (as in the list and in events)
 * plus what only a look at the hypervisor and the running guest tells, which the list does not pay for.
 *
 * @param instance   what the agent knows of the instance
 * @param interfaces the instance's NICs with their IP addresses, in spec order; empty when it has none;
 *                   null when the hypervisor cannot be asked now (disconnected)
 * @param guestAgent {@code NOT_CONFIGURED}, {@code RESPONSIVE}, {@code NOT_RESPONDING}, or {@code UNKNOWN}
 *                   when the check gave no answer in time
 * @param migration  the latest progress while this agent migrates the instance away; null otherwise
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InstanceDetails(@JsonUnwrapped InstanceView instance,
                              @JsonProperty("interfaces") @Nullable List<InterfaceView> interfaces,
                              @JsonProperty("guest_agent") String guestAgent,
                              @JsonProperty("migration") @Nullable MigrationProgressPayload migration) {

    /** The value of {@code guest_agent} when the check gave no answer. */
    public static final String UNKNOWN = "UNKNOWN";
}

package dev.computeagent.agent.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.computeagent.agent.state.InstanceView;

/**
 * The body of {@code GET /v1/instances/{uuid}}: the instance's fields (as in the list and in events)
 * plus what only a look at the running guest tells, which the list does not pay for.
 *
 * @param instance   what the agent knows of the instance
 * @param guestAgent {@code NOT_CONFIGURED}, {@code RESPONSIVE}, {@code NOT_RESPONDING}, or {@code UNKNOWN}
 *                   when the check gave no answer in time
 */
public record InstanceDetails(@JsonUnwrapped InstanceView instance, @JsonProperty("guest_agent") String guestAgent) {

    /** The value of {@code guest_agent} when the check gave no answer. */
    public static final String UNKNOWN = "UNKNOWN";
}

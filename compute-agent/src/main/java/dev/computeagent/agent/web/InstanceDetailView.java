package dev.computeagent.agent.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.computeagent.agent.state.InstanceView;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code GET /v1/instances/{uuid}}: every field of the list's {@link InstanceView}, plus what
 * is asked of the hypervisor (and the guest) for this one instance only.
 *
 * @param instance   the fields of DESIGN.md §5
 * @param interfaces the instance's NICs with their IP addresses, in spec order; empty when it has none;
 *                   null when the hypervisor cannot be asked now (disconnected)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InstanceDetailView(
        @JsonUnwrapped InstanceView instance,
        @JsonProperty("interfaces") @Nullable List<InterfaceView> interfaces) {
}

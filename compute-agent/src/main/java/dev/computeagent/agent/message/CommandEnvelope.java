package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * A command as it arrives (DESIGN.md §3). {@code args} stays untyped here; the validator turns it
 * into the command's typed arguments. Unknown top-level fields are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CommandEnvelope(
        @JsonProperty("version") Integer version,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("command") String command,
        @JsonProperty("instance_uuid") String instanceUuid,
        @JsonProperty("args") JsonNode args) {
}

package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code spawn.args.flavor}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FlavorArgs(
        @JsonProperty("vcpus") int vcpus,
        @JsonProperty("memory_mb") long memoryMb,
        @JsonProperty("root_gb") long rootGb,
        @JsonProperty("ephemeral_gb") long ephemeralGb) {
}

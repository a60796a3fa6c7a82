package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of {@code spawn.args.nics}: {@code type} network|bridge|user, {@code source} absent for user. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NicArgs(
        @JsonProperty("type") String type,
        @JsonProperty("source") String source,
        @JsonProperty("mac") String mac,
        @JsonProperty("model") String model) {
}

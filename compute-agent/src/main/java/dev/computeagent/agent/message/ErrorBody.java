package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** {@code error} of an event: a code of the contract, human text, and whether a retry may succeed. */
public record ErrorBody(
        @JsonProperty("code") ErrorCode code,
        @JsonProperty("message") String message,
        @JsonProperty("retriable") boolean retriable) {

    public ErrorBody {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}

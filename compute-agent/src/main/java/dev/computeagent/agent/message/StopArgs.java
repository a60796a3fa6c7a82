package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code stop.args}: {@code timeout_s} default 60, 0 = force at once. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StopArgs(@JsonProperty("timeout_s") Integer timeoutS) {

    public int timeoutOrDefault() {
        return timeoutS == null ? 60 : timeoutS;
    }
}

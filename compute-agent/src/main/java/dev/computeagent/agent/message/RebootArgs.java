package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code reboot.args}: {@code hard} default false; soft falls back to hard after {@code timeout_s} (default 120). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RebootArgs(@JsonProperty("hard") Boolean hard, @JsonProperty("timeout_s") Integer timeoutS) {

    public boolean hardOrDefault() {
        return hard != null && hard;
    }

    public int timeoutOrDefault() {
        return timeoutS == null ? 120 : timeoutS;
    }
}

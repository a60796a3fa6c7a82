package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** {@code stop.args}: {@code timeout_s} (0–86400) absent = 60, 0 = force off at once. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StopArgs(@JsonProperty("timeout_s") @Nullable Integer timeoutS) implements CommandArgs {

    /** How long the guest may take to shut down before it is forced off. */
    public Duration timeout() {
        return Duration.ofSeconds(timeoutS == null ? 60 : timeoutS);
    }
}

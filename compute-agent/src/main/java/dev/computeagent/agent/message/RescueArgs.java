package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * {@code rescue.args}: {@code image_id} of the rescue image (absent = the instance's own image);
 * {@code timeout_s} (absent = 60) is how long the guest may take to shut down, as {@code stop} gives it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RescueArgs(@JsonProperty("image_id") @Nullable String imageId,
                         @JsonProperty("timeout_s") @Nullable Integer timeoutS) implements CommandArgs {

    /** How long the guest may take to shut down before it is forced off. */
    public Duration shutdownTimeout() {
        return Duration.ofSeconds(timeoutS == null ? 60 : timeoutS);
    }
}

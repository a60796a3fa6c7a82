package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * {@code detach_volume.args}: {@code volume_id}, {@code timeout_s} (1-3600, default 60): how long a
 * running guest may take to release the device.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DetachVolumeArgs(@JsonProperty("volume_id") String volumeId,
                               @JsonProperty("timeout_s") @Nullable Integer timeoutS) implements CommandArgs {

    public Duration timeout() {
        return Duration.ofSeconds(timeoutS == null ? 60 : timeoutS);
    }
}

package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** {@code detach_interface.args}: {@code mac}, {@code timeout_s} (1-3600, default 60) as for detach_volume. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DetachInterfaceArgs(@JsonProperty("mac") String mac,
                                  @JsonProperty("timeout_s") @Nullable Integer timeoutS) implements CommandArgs {

    public Duration timeout() {
        return Duration.ofSeconds(timeoutS == null ? 60 : timeoutS);
    }
}

package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.Flavor;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * {@code resize.args}: the new {@code flavor}; {@code timeout_s} (absent = 60) is how long the guest may
 * take to shut down, as {@code stop} gives it, before it is forced off; {@code destination} (absent or this
 * agent's own host = resize on this host) names the agent whose host the instance moves to, as
 * {@code migrate.args.destination} does.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResizeArgs(@JsonProperty("flavor") Flavor flavor,
                         @JsonProperty("timeout_s") @Nullable Integer timeoutS,
                         @JsonProperty("destination") @Nullable String destination) implements CommandArgs {

    /** A resize on this host. */
    public ResizeArgs(Flavor flavor, @Nullable Integer timeoutS) {
        this(flavor, timeoutS, null);
    }

    /** How long the guest may take to shut down before it is forced off. */
    public Duration shutdownTimeout() {
        return Duration.ofSeconds(timeoutS == null ? 60 : timeoutS);
    }
}

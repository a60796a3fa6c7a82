package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.RebootType;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** {@code reboot.args}: {@code hard} absent = false; soft falls back to hard after {@code timeout_s} (absent = 120). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RebootArgs(@JsonProperty("hard") @Nullable Boolean hard,
                         @JsonProperty("timeout_s") @Nullable Integer timeoutS) implements CommandArgs {

    public RebootType rebootType() {
        return Boolean.TRUE.equals(hard) ? RebootType.HARD : RebootType.SOFT;
    }

    /** How long a soft reboot waits for the guest before it resets it. */
    public Duration softTimeout() {
        return Duration.ofSeconds(timeoutS == null ? 120 : timeoutS);
    }
}

package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code rebuild.args}, Nova's rebuild: {@code image_id} of the new root disk's image (absent = the instance's
 * own image); {@code user_data} (base64, ≤ 64 KiB) and {@code public_keys} (name → OpenSSH key) for the new
 * config drive (each absent = the instance keeps what its config drive has); {@code preserve_ephemeral}
 * (absent = false: the ephemeral disk is re-created empty, as Nova's default); {@code timeout_s} (absent = 60)
 * is how long the guest may take to shut down, as {@code stop} gives it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RebuildArgs(@JsonProperty("image_id") @Nullable String imageId,
                          @JsonProperty("user_data") @Nullable String userData,
                          @JsonProperty("public_keys") @Nullable Map<String, String> publicKeys,
                          @JsonProperty("preserve_ephemeral") @Nullable Boolean preserveEphemeral,
                          @JsonProperty("timeout_s") @Nullable Integer timeoutS) implements CommandArgs {

    public RebuildArgs {
        publicKeys = publicKeys == null ? null : Map.copyOf(publicKeys);
    }

    /** The decoded user data to give the guest instead of its current one; empty = keep the current one. */
    public Optional<byte[]> userDataBytes() {
        return userData == null ? Optional.empty() : Optional.of(Base64.getDecoder().decode(userData));
    }

    /** The keys to give the guest instead of its current ones; empty = keep the current ones. */
    public Optional<Map<String, String>> newPublicKeys() {
        return Optional.ofNullable(publicKeys);
    }

    /** Whether the ephemeral disk keeps its content (Nova's {@code preserve_ephemeral}). */
    public boolean keepsEphemeral() {
        return Boolean.TRUE.equals(preserveEphemeral);
    }

    /** How long the guest may take to shut down before it is forced off. */
    public Duration shutdownTimeout() {
        return Duration.ofSeconds(timeoutS == null ? 60 : timeoutS);
    }
}

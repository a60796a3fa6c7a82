package dev.computeagent.agent.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.virt.Flavor;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the agent knows of one instance; the body of {@code GET /v1/instances/{uuid}} (docs/architecture.md, "Contracts").
 * {@code last_error} is null when the last operation succeeded.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InstanceView(
        @JsonProperty("uuid") String uuid,
        @JsonProperty("name") String name,
        @JsonProperty("state") InstanceState state,
        @JsonProperty("power_state") String powerState,
        @JsonProperty("flavor") Flavor flavor,
        @JsonProperty("image_id") String imageId,
        @JsonProperty("host") String host,
        @JsonProperty("created_at") @Nullable Instant createdAt,
        @JsonProperty("last_error") @Nullable String lastError) {
}

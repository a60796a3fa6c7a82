package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.Flavor;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An instance handed over by a cold migration over shared storage, as typed data: what its spawn
 * asked for ({@code name}, {@code flavor}, {@code image_id}, {@code nics}, {@code metadata}) and the
 * agent's bookkeeping that must survive the move ({@code created_at}, {@code spawn_request},
 * {@code spec_sha256}, and {@code security_groups}: the rules of an instance whose NICs are filtered, so
 * that they stay filtered there). No path, no device, no hypervisor document: the destination renders the
 * domain from it with its own paths.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigratedInstance(
        @JsonProperty("name") String name,
        @JsonProperty("flavor") Flavor flavor,
        @JsonProperty("image_id") String imageId,
        @JsonProperty("nics") @Nullable List<NicArgs> nics,
        @JsonProperty("metadata") @Nullable Map<String, String> metadata,
        @JsonProperty("created_at") @Nullable String createdAt,
        @JsonProperty("spawn_request") @Nullable String spawnRequest,
        @JsonProperty("spec_sha256") @Nullable String specSha256,
        @JsonProperty("security_groups") @Nullable List<SecurityRuleArgs> securityGroups) {
}

package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code snapshot.args}: the new image's {@code image_id} (1–128 chars of {@code [A-Za-z0-9._-]}, chosen by the
 * caller, as Nova's API reserves the Glance id before it asks the compute host) and {@code name} (1–255 chars).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SnapshotArgs(@JsonProperty("image_id") String imageId, @JsonProperty("name") String name)
        implements CommandArgs {
}

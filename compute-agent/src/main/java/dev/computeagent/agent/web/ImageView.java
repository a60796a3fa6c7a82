package dev.computeagent.agent.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.image.CachedImage;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One cached base image in {@code GET /v1/images} (docs/architecture.md, "Contracts"). The file path is deliberately
 * not shown.
 *
 * @param imageId  the image store's id
 * @param bytes    bytes the base occupies on disk
 * @param lastUsed last time a fetch or an overlay used it
 * @param inUse    whether an instance disk is built on it
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ImageView(
        @JsonProperty("image_id") String imageId,
        @JsonProperty("bytes") long bytes,
        @JsonProperty("last_used") @Nullable Instant lastUsed,
        @JsonProperty("in_use") boolean inUse) {

    static ImageView of(CachedImage image) {
        return new ImageView(image.imageId(), image.bytes(), image.lastUsed(), image.inUse());
    }
}

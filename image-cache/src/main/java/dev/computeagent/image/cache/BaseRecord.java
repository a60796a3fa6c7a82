package dev.computeagent.image.cache;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON record next to a cached base: which image it is, in which format, how large for the guest,
 * and the store's additional image properties. Written before the base is renamed into place, so every
 * base has one. Records written before properties were kept have none ({@code null} when read).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record BaseRecord(@JsonProperty("image_id") String imageId, @JsonProperty("format") String format,
                  @JsonProperty("virtual_size") long virtualSize,
                  @JsonProperty("properties") @Nullable Map<String, String> properties) {

    Map<String, String> propertiesOrNone() {
        return properties == null ? Map.of() : properties;
    }
}

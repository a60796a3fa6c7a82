package dev.computeagent.image.cache;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The JSON record next to a cached base: which image it is, in which format, how large for the guest.
 * Written before the base is renamed into place, so every base has one.
 */
record BaseRecord(@JsonProperty("image_id") String imageId, @JsonProperty("format") String format,
                  @JsonProperty("virtual_size") long virtualSize) {
}

package dev.computeagent.image.store;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a store says about an image (Glance v2 field names in the comments).
 *
 * @param id          {@code id}
 * @param status      {@code status}; only {@code active} images are served
 * @param diskFormat  {@code disk_format}; empty when a directory store has no metadata file
 * @param containerFormat {@code container_format}, when given
 * @param size        {@code size} in bytes, when known
 * @param checksum    {@code checksum}, MD5 hex, the fallback when no multihash is given
 * @param hashAlgo    {@code os_hash_algo}, e.g. {@code sha512}
 * @param hashValue   {@code os_hash_value}, hex
 * @param virtualSize {@code virtual_size}, when known
 * @param properties  the image's additional properties (Glance v2: every other top-level string field,
 *                    e.g. {@code hw_qemu_guest_agent}, {@code os_distro}), possibly none
 */
public record ImageMetadata(String id, String status, Optional<String> diskFormat, Optional<String> containerFormat,
                            OptionalLong size,
                            Optional<String> checksum, Optional<String> hashAlgo, Optional<String> hashValue,
                            OptionalLong virtualSize, Map<String, String> properties) {

    public ImageMetadata {
        properties = Map.copyOf(properties);
    }

    /** Metadata of an image that comes with none: active, format to be detected, nothing to verify. */
    public static ImageMetadata unknown(String id) {
        return new ImageMetadata(id, "active", Optional.empty(), Optional.empty(), OptionalLong.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), OptionalLong.empty(), Map.of());
    }
}

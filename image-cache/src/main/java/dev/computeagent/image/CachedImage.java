package dev.computeagent.image;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * A base image in the cache.
 *
 * @param imageId     the store's id
 * @param path        the cached file
 * @param format      the cached file's format: {@code raw} or {@code qcow2}
 * @param virtualSize the disk size the guest sees, bytes
 * @param bytes       bytes the file occupies on disk
 * @param lastUsed    last time a fetch or overlay used it
 * @param inUse       whether an overlay references it (known at listing time)
 * @param properties  the store's additional image properties (e.g. {@code hw_qemu_guest_agent}) as they
 *                    were when the image entered the cache; none for bases cached before they were kept
 */
public record CachedImage(String imageId, Path path, String format, long virtualSize, long bytes,
                          Instant lastUsed, boolean inUse, Map<String, String> properties) {

    public CachedImage {
        properties = Map.copyOf(properties);
    }

    /** An image without additional properties. */
    public CachedImage(String imageId, Path path, String format, long virtualSize, long bytes, Instant lastUsed,
                       boolean inUse) {
        this(imageId, path, format, virtualSize, bytes, lastUsed, inUse, Map.of());
    }
}

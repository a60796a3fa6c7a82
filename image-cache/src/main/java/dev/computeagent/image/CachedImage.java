package dev.computeagent.image;

import java.nio.file.Path;
import java.time.Instant;

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
 */
public record CachedImage(String imageId, Path path, String format, long virtualSize, long bytes,
                          Instant lastUsed, boolean inUse) {
}

package dev.computeagent.image;

import java.nio.file.Path;

/**
 * An instance disk: a qcow2 overlay over a cached base.
 *
 * @param path        the overlay file
 * @param base        the base it is backed by
 * @param virtualSize its virtual size, bytes
 * @param reused      true when the overlay existed already and was kept
 */
public record Overlay(Path path, CachedImage base, long virtualSize, boolean reused) {
}

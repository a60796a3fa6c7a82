/**
 * The base-image cache under {@code <state-dir>/_base}: single-flight fetching (in process and across
 * processes), the fetch pipeline, overlays and garbage collection. Internal; use
 * {@link dev.computeagent.image.ImageCaches}. Nothing here is null unless documented.
 */
@NullMarked
package dev.computeagent.image.cache;

import org.jspecify.annotations.NullMarked;

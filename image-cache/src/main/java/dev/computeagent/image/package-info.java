/**
 * The image cache's public contract: {@link dev.computeagent.image.ImageCache}, opened with
 * {@link dev.computeagent.image.ImageCaches}, its value records and its exception hierarchy (the
 * subtype of {@link dev.computeagent.image.ImageException} is the decision; {@code retriable()} says
 * whether the same request may succeed later).
 *
 * <p>Nothing in this package is null unless a method or record component says so; optional values are
 * {@link java.util.Optional}.
 */
@NullMarked
package dev.computeagent.image;

import org.jspecify.annotations.NullMarked;

/**
 * The agent's upkeep of the image cache: its periodic garbage collection. Nothing is null unless
 * marked {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.imagecache;

import org.jspecify.annotations.NullMarked;

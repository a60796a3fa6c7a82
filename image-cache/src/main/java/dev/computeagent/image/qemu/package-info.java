/**
 * {@code qemu-img}, run through the one process runner ({@code host-io}): limits, timeouts, captured stderr.
 * Nothing here is null unless documented.
 */
@NullMarked
package dev.computeagent.image.qemu;

import org.jspecify.annotations.NullMarked;

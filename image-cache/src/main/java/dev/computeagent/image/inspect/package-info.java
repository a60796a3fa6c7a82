/**
 * Disk-image format inspection in Java, run before any {@code qemu-img} opens a file. Nothing here is
 * null unless documented.
 */
@NullMarked
package dev.computeagent.image.inspect;

import org.jspecify.annotations.NullMarked;

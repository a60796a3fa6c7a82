/**
 * Disk-image format inspection in Java, run before any {@code qemu-img} opens a file. Nothing here is
 * null unless documented.
 */
package dev.computeagent.image.inspect;

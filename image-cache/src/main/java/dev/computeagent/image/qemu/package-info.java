/**
 * {@code qemu-img} as an external process: argument lists, {@code prlimit}, timeouts, captured stderr.
 * Nothing here is null unless documented.
 */
package dev.computeagent.image.qemu;

package dev.computeagent.image;

import java.util.List;

/**
 * What a garbage-collection pass did.
 *
 * @param removed    image ids removed
 * @param bytesFreed bytes freed
 * @param kept       unused images kept (too young, or under the quota)
 */
public record GcReport(List<String> removed, long bytesFreed, int kept) {
}

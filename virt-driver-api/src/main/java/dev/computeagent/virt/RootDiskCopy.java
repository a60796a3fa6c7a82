package dev.computeagent.virt;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A standalone copy of an instance's root disk made by {@link ComputeDriver#copyRootDisk}: a qcow2 file
 * without backing file, holding what the guest saw on its root disk at one point in time.
 *
 * @param file        the copy
 * @param consistency how that point in time was reached
 */
public record RootDiskCopy(Path file, Consistency consistency) {

    public RootDiskCopy {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(consistency, "consistency");
    }

    /** How consistent the copy's file systems are. */
    public enum Consistency {
        /** The instance was stopped: its disk was at rest. */
        STOPPED,
        /** The running guest's file systems were frozen through its guest agent at the point of the copy. */
        QUIESCED,
        /** The running guest was not asked (no guest agent, or it did not freeze): as after a power cut. */
        CRASH_CONSISTENT
    }
}

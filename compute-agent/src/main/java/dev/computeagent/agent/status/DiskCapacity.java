package dev.computeagent.agent.status;

import dev.computeagent.virt.Gib;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Size and used space, in whole GiB, of the file system that holds (or will hold) a directory.
 * A directory that does not exist yet is measured at its nearest existing ancestor.
 */
final class DiskCapacity {

    private DiskCapacity() {
    }

    /** {@code [totalGb, usedGb]}; {@code [0, 0]} when nothing on the path can be measured. */
    static long[] of(Path directory) {
        Path probe = directory.toAbsolutePath();
        while (probe != null && !Files.exists(probe)) {
            probe = probe.getParent();
        }
        if (probe == null) {
            return new long[] {0, 0};
        }
        try {
            FileStore store = Files.getFileStore(probe);
            long total = store.getTotalSpace();
            long used = total - store.getUnallocatedSpace();
            return new long[] {Gib.of(total), Gib.of(used)};
        } catch (IOException e) {
            return new long[] {0, 0};
        }
    }
}

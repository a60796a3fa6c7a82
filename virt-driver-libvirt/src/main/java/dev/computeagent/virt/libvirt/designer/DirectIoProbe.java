package dev.computeagent.virt.libvirt.designer;

import java.nio.file.Path;

/**
 * Whether files in a directory can be opened with {@code O_DIRECT}, which QEMU needs for the cache
 * modes {@code none} and {@code directsync} (tmpfs, for one, refuses it).
 */
@FunctionalInterface
public interface DirectIoProbe {

    /** Whether a file in {@code directory} can be opened and written with {@code O_DIRECT}. */
    boolean supportsDirectIo(Path directory);

    /** Probes the real file system, once per file system. */
    static DirectIoProbe onFileSystem() {
        return new FileSystemDirectIoProbe();
    }
}

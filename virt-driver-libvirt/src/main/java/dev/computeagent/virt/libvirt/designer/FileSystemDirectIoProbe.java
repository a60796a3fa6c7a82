package dev.computeagent.virt.libvirt.designer;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes a directory by writing one aligned block to a temporary file opened with
 * {@link ExtendedOpenOption#DIRECT} (as Nova's {@code _supports_direct_io} does), then deletes it.
 * The answer is remembered per file system, so each file system is probed once. Any failure
 * (refused flag, unwritable directory) counts as "no": the caller then picks a cache mode that
 * needs no {@code O_DIRECT}, which is always safe.
 */
final class FileSystemDirectIoProbe implements DirectIoProbe {

    private static final Logger log = LoggerFactory.getLogger(FileSystemDirectIoProbe.class);
    private static final int ALIGNMENT = 4096;

    private final Map<FileStore, Boolean> answers = new ConcurrentHashMap<>();

    @Override
    public boolean supportsDirectIo(Path directory) {
        FileStore store;
        try {
            store = Files.getFileStore(directory);
        } catch (IOException e) {
            // no file system to remember an answer for (the directory is missing): ask again next time
            return probe(directory);
        }
        return answers.computeIfAbsent(store, k -> probe(directory));
    }

    private static boolean probe(Path directory) {
        Path probe = null;
        try {
            probe = Files.createTempFile(directory, ".direct-io-probe-", ".tmp");
            try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
                FileStore store = Files.getFileStore(probe);
                int alignment = Math.max(ALIGNMENT, (int) Math.min(store.getBlockSize(), 1 << 16));
                ByteBuffer block = ByteBuffer.allocateDirect(alignment * 2).alignedSlice(alignment);
                block.limit(alignment);
                channel.write(block, 0);
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            log.info("{} does not support O_DIRECT ({}); disks there fall back to cache mode writethrough",
                    directory, e.toString());
            return false;
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException e) {
                    log.warn("cannot delete the O_DIRECT probe file {}: {}", probe, e.toString());
                }
            }
        }
    }
}

package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real O_DIRECT probe on the real file systems of this machine. */
class FileSystemDirectIoProbeTest {

    private static final Path TMPFS = Path.of("/dev/shm");

    /** tmpfs refuses O_DIRECT before Linux 6.6 and accepts it since ("shmem: add support for O_DIRECT"). */
    @Test
    void tmpfsAnswerFollowsTheKernelAndTheProbeLeavesNothingBehind() throws Exception {
        assumeTrue(Files.isDirectory(TMPFS) && "tmpfs".equals(Files.getFileStore(TMPFS).type()),
                "needs a tmpfs at /dev/shm");
        Path dir = Files.createTempDirectory(TMPFS, "direct-io-test-");
        try {
            assertThat(new FileSystemDirectIoProbe().supportsDirectIo(dir)).isEqualTo(kernelAtLeast(6, 6));
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).isEmpty();
            }
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    void diskFileSystemAcceptsODirectAndTheProbeLeavesNothingBehind() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "direct-io-test-");
        String type = Files.getFileStore(dir).type();
        try {
            assumeTrue(type.equals("ext4") || type.equals("xfs") || type.equals("btrfs"),
                    "target/ is on " + type + ", not a disk file system known to support O_DIRECT");
            assertThat(new FileSystemDirectIoProbe().supportsDirectIo(dir)).isTrue();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).isEmpty();
            }
        } finally {
            Files.delete(dir);
        }
    }

    private static boolean kernelAtLeast(int major, int minor) {
        Matcher version = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version"));
        assumeTrue(version.find(), "unknown kernel version " + System.getProperty("os.version"));
        int actualMajor = Integer.parseInt(version.group(1));
        return actualMajor > major || (actualMajor == major && Integer.parseInt(version.group(2)) >= minor);
    }

    @Test
    void missingDirectoryCountsAsNoODirect(@TempDir Path tempDir) {
        assertThat(new FileSystemDirectIoProbe().supportsDirectIo(tempDir.resolve("absent"))).isFalse();
    }
}

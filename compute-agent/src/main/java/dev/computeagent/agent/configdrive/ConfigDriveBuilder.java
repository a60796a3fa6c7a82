package dev.computeagent.agent.configdrive;

import dev.computeagent.hostio.AtomicFiles;
import dev.computeagent.hostio.ProcessException;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Builds config drives: ISO 9660 images labelled {@code config-2} holding the files of
 * {@code openstack/latest/} that Nova writes ({@link OpenStackMetadata}): the layout cloud-init's
 * ConfigDrive data source reads. {@code genisoimage} runs from an argument list under {@code prlimit}
 * with a timeout.
 *
 * <p>Failure semantics: every failure is a {@link ConfigDriveException} carrying genisoimage's stderr
 * where it ran; the target is written under a temporary name and renamed into place, so it is either
 * complete or absent, and the staging directory is removed.
 */
public final class ConfigDriveBuilder {

    /** The volume label cloud-init looks for. */
    public static final String LABEL = "config-2";
    /** Far above what 64 KiB of user data needs (~0.4 MiB); bounds what a migration may install. */
    public static final int MAX_BYTES = 4 << 20;
    private static final long CPU_SECONDS = 10;
    private static final long ADDRESS_SPACE = 512L << 20;
    private static final int ISO9660_MAGIC_OFFSET = 0x8001;
    private static final byte[] ISO9660_MAGIC = "CD001".getBytes(StandardCharsets.US_ASCII);

    private final ProcessRunner runner;
    private final Duration timeout;
    private final SecureRandom random = new SecureRandom();

    public ConfigDriveBuilder(ProcessRunner runner, Duration timeout) {
        this.runner = runner;
        this.timeout = timeout;
    }

    /** Builds the config drive of {@code content} at {@code target}, replacing a previous one. */
    public void build(Path target, ConfigDriveContent content) {
        Path staging = null;
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            staging = Files.createTempDirectory(target.toAbsolutePath().getParent(), ".config-drive-");
            Path latest = Files.createDirectories(staging.resolve("openstack").resolve("latest"));
            byte[] seed = new byte[OpenStackMetadata.RANDOM_SEED_BYTES];
            random.nextBytes(seed);
            for (Map.Entry<String, byte[]> file : OpenStackMetadata.files(content, seed).entrySet()) {
                Files.write(latest.resolve(file.getKey()), file.getValue());
            }
            Path root = staging;
            AtomicFiles.create(target, tmp -> genisoimage(tmp, root));
        } catch (IOException e) {
            throw new ConfigDriveException("cannot build the config drive " + target + ": " + e.getMessage(), e);
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * Installs a config drive built by another host (a block migration does not copy read-only disks).
     *
     * @throws ConfigDriveException the bytes are not an ISO 9660 image of at most {@link #MAX_BYTES}, or
     *                              cannot be written
     */
    public void install(Path target, byte[] iso) {
        if (!isIso9660(iso)) {
            throw new ConfigDriveException("not an ISO 9660 image of at most " + MAX_BYTES + " bytes ("
                    + iso.length + " bytes)");
        }
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            AtomicFiles.write(target, iso);
        } catch (IOException e) {
            throw new ConfigDriveException("cannot write the config drive " + target + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code bytes} look like an ISO 9660 image (primary volume descriptor) of bounded size. */
    public static boolean isIso9660(byte[] bytes) {
        if (bytes.length > MAX_BYTES || bytes.length < ISO9660_MAGIC_OFFSET + ISO9660_MAGIC.length) {
            return false;
        }
        for (int i = 0; i < ISO9660_MAGIC.length; i++) {
            if (bytes[ISO9660_MAGIC_OFFSET + i] != ISO9660_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private void genisoimage(Path iso, Path root) {
        ProcessResult r;
        try {
            r = runner.run(List.of("genisoimage", "-o", iso.toString(), "-ldots", "-allow-lowercase",
                    "-allow-multidot", "-l", "-publisher", "compute-agent", "-quiet", "-J", "-r", "-V", LABEL,
                    root.toString()), CPU_SECONDS, ADDRESS_SPACE, timeout);
        } catch (ProcessException e) {
            throw new ConfigDriveException("genisoimage could not run: " + e.getMessage()
                    + " (install Debian's genisoimage)", e);
        }
        if (r.exitCode() != 0) {
            throw new ConfigDriveException("genisoimage failed with exit code " + r.exitCode() + ": " + r.stderr());
        }
    }

    private static void deleteTree(@Nullable Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: it sits in the instance's directory, which delete removes whole
        }
    }
}

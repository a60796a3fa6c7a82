package dev.computeagent.virt.migration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Detects (never guesses) whether two hosts share a directory: the source plants a marker file with a
 * random token, the destination looks for that exact file and token at the same path, the source
 * removes the marker. File-system types are not consulted: NFS, CephFS or GlusterFS can each be
 * mounted per host as well as shared, and a local file system may sit on shared block storage.
 *
 * <p>Markers are named {@value #PREFIX}{@code <token>} so a leftover (after a crash) is recognisable and
 * harmless; {@link #remove} is idempotent.
 */
public final class SharedStorageProbe {

    /** File-name prefix of every marker. */
    public static final String PREFIX = ".shared-storage-probe-";

    private static final SecureRandom RANDOM = new SecureRandom();

    private SharedStorageProbe() {
    }

    /**
     * A planted marker.
     *
     * @param directory the directory probed
     * @param token     the random token, also the file's name suffix and content
     */
    public record Marker(Path directory, String token) {

        public Marker {
            Objects.requireNonNull(directory, "directory");
            if (!token.matches("[0-9a-f]{32}")) {
                throw new IllegalArgumentException("invalid probe token: " + token);
            }
        }

        Path file() {
            return directory.resolve(PREFIX + token);
        }
    }

    /**
     * On the source: writes a marker into {@code directory} (which must exist).
     *
     * @throws UncheckedIOException the marker cannot be written
     */
    public static Marker plant(Path directory) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        Marker marker = new Marker(directory, HexFormat.of().formatHex(bytes));
        try {
            Files.writeString(marker.file(), marker.token(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot plant storage probe in " + directory, e);
        }
        return marker;
    }

    /**
     * On the destination: whether the marker with {@code token} is visible in {@code directory} with the
     * right content. A missing directory or file means "not shared"; any other I/O failure is thrown,
     * because "cannot tell" must not be mistaken for "not shared".
     *
     * @throws UncheckedIOException the directory exists but cannot be read
     */
    public static boolean sees(Path directory, String token) {
        Marker marker = new Marker(directory, token);
        try {
            return token.equals(Files.readString(marker.file(), StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read storage probe in " + directory, e);
        }
    }

    /** On the source: removes the marker; a marker already gone is fine. */
    public static void remove(Marker marker) {
        try {
            Files.deleteIfExists(marker.file());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove storage probe " + marker.file(), e);
        }
    }
}

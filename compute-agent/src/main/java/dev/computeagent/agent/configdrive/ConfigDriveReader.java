package dev.computeagent.agent.configdrive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads one file back from a config drive {@link ConfigDriveBuilder} wrote (a rebuild keeps the user data and
 * keys its caller does not replace): a plain ISO 9660 walk of the primary volume descriptor's directory tree,
 * in Java, so binary user data comes back byte for byte and no tool runs. Names compare without their
 * {@code ;1} version (and the dot of an empty extension) and case-insensitively (genisoimage writes them lower case with {@code -allow-lowercase}).
 *
 * <p>Failure semantics: a missing file is {@link Optional#empty()}; an image that is larger than
 * {@link ConfigDriveBuilder#MAX_BYTES}, not ISO 9660, or whose records point outside it is a
 * {@link ConfigDriveException}.
 */
public final class ConfigDriveReader {

    private static final int SECTOR = 2048;
    private static final int PRIMARY_DESCRIPTOR = 16 * SECTOR;
    private static final int ROOT_RECORD = 156;
    private static final int MAX_DEPTH = 8;

    private ConfigDriveReader() {
    }

    /** The content of {@code path} (e.g. {@code openstack/latest/user_data}) in the config drive {@code iso}. */
    public static Optional<byte[]> read(Path iso, String path) {
        byte[] image;
        try {
            if (Files.size(iso) > ConfigDriveBuilder.MAX_BYTES) {
                throw new ConfigDriveException("config drive " + iso + " is larger than " + ConfigDriveBuilder.MAX_BYTES
                        + " bytes");
            }
            image = Files.readAllBytes(iso);
        } catch (IOException e) {
            throw new ConfigDriveException("cannot read the config drive " + iso + ": " + e.getMessage(), e);
        }
        if (!ConfigDriveBuilder.isIso9660(image)) {
            throw new ConfigDriveException("config drive " + iso + " is not an ISO 9660 image");
        }
        try {
            ByteBuffer bytes = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
            int[] extent = record(bytes, PRIMARY_DESCRIPTOR + ROOT_RECORD);
            String[] names = path.split("/");
            if (names.length > MAX_DEPTH) {
                return Optional.empty();
            }
            for (int i = 0; i < names.length; i++) {
                Optional<int[]> next = find(bytes, extent, names[i], i < names.length - 1);
                if (next.isEmpty()) {
                    return Optional.empty();
                }
                extent = next.get();
            }
            return Optional.of(Arrays.copyOfRange(image, extent[0], Math.addExact(extent[0], extent[1])));
        } catch (IndexOutOfBoundsException | IllegalArgumentException | ArithmeticException e) {
            throw new ConfigDriveException("config drive " + iso + " has a broken directory: " + e, e);
        }
    }

    /** The entry {@code name} of the directory at {@code dir} ({offset, length}), a directory or a file. */
    private static Optional<int[]> find(ByteBuffer bytes, int[] dir, String name, boolean directory) {
        int at = dir[0];
        int end = Math.addExact(dir[0], dir[1]);
        while (at < end) {
            int length = Byte.toUnsignedInt(bytes.get(at));
            if (length == 0) {
                // records do not cross sectors: the rest of this one is padding
                at = (at / SECTOR + 1) * SECTOR;
                continue;
            }
            int flags = bytes.get(at + 25);
            int nameLength = Byte.toUnsignedInt(bytes.get(at + 32));
            String entry = new String(bytes.array(), at + 33, nameLength, StandardCharsets.US_ASCII);
            int version = entry.indexOf(';');
            String bare = (version < 0 ? entry : entry.substring(0, version)).toLowerCase(Locale.ROOT);
            if (bare.endsWith(".")) {
                // a file name without extension is written "name.;1"
                bare = bare.substring(0, bare.length() - 1);
            }
            boolean isDirectory = (flags & 0x02) != 0;
            if (nameLength > 1 && bare.equals(name.toLowerCase(Locale.ROOT)) && isDirectory == directory) {
                return Optional.of(record(bytes, at));
            }
            at += length;
        }
        return Optional.empty();
    }

    /** {offset, length} in bytes of the extent the directory record at {@code at} points to, checked. */
    private static int[] record(ByteBuffer bytes, int at) {
        long offset = Integer.toUnsignedLong(bytes.getInt(at + 2)) * SECTOR;
        long length = Integer.toUnsignedLong(bytes.getInt(at + 10));
        if (offset + length > bytes.capacity()) {
            throw new IllegalArgumentException("extent beyond the image");
        }
        return new int[] {(int) offset, (int) length};
    }
}

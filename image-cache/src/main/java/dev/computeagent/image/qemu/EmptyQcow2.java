package dev.computeagent.image.qemu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A new qcow2 image with no data of its own: what {@code qemu-img create -f qcow2 [-F format -b backing] file
 * size} writes with QEMU 7.2's defaults (version 3, 64 KiB clusters, 16-bit refcounts, no lazy refcounts), byte
 * for byte, written without starting a process. A spawn's overlay then costs a few small writes instead of a
 * {@code qemu-img} start (about 11 ms of the spawn's path); {@code EmptyQcow2QemuImgTest} compares the bytes with
 * the real {@code qemu-img create} for every shape written here.
 *
 * <p>Layout: cluster 0 the header, its extensions (the backing format, the feature name table) and the backing
 * file name; cluster 1 the refcount table; cluster 2 its one refcount block (one reference to each of these
 * clusters); from cluster 3 the L1 table, all empty (every read falls through to the backing file, or is zero).
 *
 * @param virtualSize   bytes the guest sees; rounded up to whole 512-byte sectors, as {@code qemu-img} does
 * @param backingFile   the absolute path of the backing file, or empty
 * @param backingFormat its format, never probed by QEMU ({@code raw}, {@code qcow2}); empty without backing file
 */
public record EmptyQcow2(long virtualSize, Optional<Path> backingFile, Optional<String> backingFormat) {

    /** The largest image written here (the agent's disks are at most 16 TiB). */
    public static final long MAX_VIRTUAL_SIZE = 64L << 40;
    private static final int CLUSTER_BITS = 16;
    private static final int CLUSTER = 1 << CLUSTER_BITS;
    private static final int SECTOR = 512;
    /** Guest bytes one L2 table maps: {@code CLUSTER / 8} entries of a cluster each. */
    private static final long L2_COVERAGE = (long) (CLUSTER / 8) * CLUSTER;
    private static final int HEADER_LENGTH = 112;
    private static final int BACKING_FORMAT_EXTENSION = 0xE2792ACA;
    private static final int FEATURE_NAME_TABLE_EXTENSION = 0x6803F857;
    /** QEMU refuses a longer backing file name. */
    private static final int MAX_BACKING_NAME = 1023;
    private static final Pattern FORMAT = Pattern.compile("[a-z0-9]{1,16}");
    private static final long REFCOUNT_TABLE = CLUSTER;
    private static final long REFCOUNT_BLOCK = 2L * CLUSTER;
    private static final long L1_TABLE = 3L * CLUSTER;

    /** The names QEMU gives its feature bits in every image it creates: type (0 incompatible, 1 compatible, 2 autoclear), bit. */
    private record FeatureName(int type, int bit, String name) {
    }

    private static final List<FeatureName> FEATURE_NAMES = List.of(new FeatureName(0, 0, "dirty bit"),
            new FeatureName(0, 1, "corrupt bit"), new FeatureName(0, 2, "external data file"),
            new FeatureName(0, 3, "compression type"), new FeatureName(0, 4, "extended L2 entries"),
            new FeatureName(1, 0, "lazy refcounts"), new FeatureName(2, 0, "bitmaps"),
            new FeatureName(2, 1, "raw external data"));
    private static final int FEATURE_NAME_ENTRY = 48;

    /** @throws IllegalArgumentException a size out of range, a relative or overlong backing path, a bad format */
    public EmptyQcow2 {
        Objects.requireNonNull(backingFile, "backingFile");
        Objects.requireNonNull(backingFormat, "backingFormat");
        if (virtualSize <= 0 || virtualSize > MAX_VIRTUAL_SIZE) {
            throw new IllegalArgumentException("virtual size " + virtualSize + " is not within 1.." + MAX_VIRTUAL_SIZE);
        }
        if (backingFile.isPresent() != backingFormat.isPresent()) {
            throw new IllegalArgumentException("a backing file and its format go together");
        }
        if (backingFile.isPresent() && (!backingFile.get().isAbsolute()
                || backingFile.get().toString().getBytes(StandardCharsets.UTF_8).length > MAX_BACKING_NAME)) {
            throw new IllegalArgumentException("backing file " + backingFile.get() + " is not an absolute path of at most "
                    + MAX_BACKING_NAME + " bytes");
        }
        if (backingFormat.isPresent() && !FORMAT.matcher(backingFormat.get()).matches()) {
            throw new IllegalArgumentException("backing format " + backingFormat.get() + " is not a format name");
        }
    }

    /** An overlay of {@code virtualSize} bytes over {@code backingFile} of {@code backingFormat}. */
    public static EmptyQcow2 over(Path backingFile, String backingFormat, long virtualSize) {
        return new EmptyQcow2(virtualSize, Optional.of(backingFile), Optional.of(backingFormat));
    }

    /** An image of {@code virtualSize} zero bytes, without backing file. */
    public static EmptyQcow2 blank(long virtualSize) {
        return new EmptyQcow2(virtualSize, Optional.empty(), Optional.empty());
    }

    /** The virtual size the image records: {@code virtualSize} rounded up to whole sectors. */
    public long imageSize() {
        return (virtualSize + SECTOR - 1) / SECTOR * SECTOR;
    }

    /**
     * Writes the image to the new file {@code file} (not synced: the caller publishes it, e.g. through
     * {@code AtomicFiles}).
     *
     * @throws IOException the file exists or cannot be written
     */
    public void writeTo(Path file) throws IOException {
        long size = imageSize();
        int l1Entries = (int) ((size + L2_COVERAGE - 1) / L2_COVERAGE);
        int l1Clusters = (l1Entries * 8 + CLUSTER - 1) / CLUSTER;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            write(channel, header(size, l1Entries), 0);
            ByteBuffer table = ByteBuffer.allocate(8).putLong(0, REFCOUNT_BLOCK);
            write(channel, table, REFCOUNT_TABLE);
            ByteBuffer block = ByteBuffer.allocate((3 + l1Clusters) * 2);
            while (block.hasRemaining()) {
                block.putShort((short) 1);
            }
            write(channel, block.flip(), REFCOUNT_BLOCK);
            // the L1 table is all zeros: only its end is written, so the file is as long as qemu-img's
            write(channel, ByteBuffer.allocate(8), L1_TABLE + (long) l1Entries * 8 - 8);
        }
    }

    private ByteBuffer header(long size, int l1Entries) {
        ByteBuffer extensions = extensions();
        byte[] backingName = backingFile.map(p -> p.toString().getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH + extensions.remaining() + backingName.length);
        header.putInt(0x514649FB).putInt(3);
        header.putLong(backingName.length > 0 ? HEADER_LENGTH + extensions.remaining() : 0).putInt(backingName.length);
        header.putInt(CLUSTER_BITS).putLong(size).putInt(0);
        header.putInt(l1Entries).putLong(L1_TABLE).putLong(REFCOUNT_TABLE).putInt(1);
        header.putInt(0).putLong(0);
        // incompatible, compatible and autoclear features, refcount order (16-bit), header length, zlib
        header.putLong(0).putLong(0).putLong(0).putInt(4).putInt(HEADER_LENGTH).put((byte) 0);
        header.position(HEADER_LENGTH);
        header.put(extensions).put(backingName);
        return header.flip();
    }

    private ByteBuffer extensions() {
        int formatLength = backingFormat.map(f -> 8 + f.length() + padding(f.length())).orElse(0);
        ByteBuffer buffer = ByteBuffer.allocate(formatLength + 8 + FEATURE_NAMES.size() * FEATURE_NAME_ENTRY + 8);
        backingFormat.ifPresent(format -> {
            byte[] name = format.getBytes(StandardCharsets.US_ASCII);
            buffer.putInt(BACKING_FORMAT_EXTENSION).putInt(name.length).put(name);
            buffer.position(buffer.position() + padding(name.length));
        });
        buffer.putInt(FEATURE_NAME_TABLE_EXTENSION).putInt(FEATURE_NAMES.size() * FEATURE_NAME_ENTRY);
        for (FeatureName feature : FEATURE_NAMES) {
            int start = buffer.position();
            buffer.put((byte) feature.type()).put((byte) feature.bit())
                    .put(feature.name().getBytes(StandardCharsets.US_ASCII));
            buffer.position(start + FEATURE_NAME_ENTRY);
        }
        // the end-of-extensions marker: type 0, length 0
        buffer.putLong(0);
        return buffer.flip();
    }

    private static int padding(int length) {
        return (8 - length % 8) % 8;
    }

    private static void write(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }
}

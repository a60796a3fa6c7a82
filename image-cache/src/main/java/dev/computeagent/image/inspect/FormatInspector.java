package dev.computeagent.image.inspect;

import dev.computeagent.image.ImageUnsafeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Recognises a disk image from its bytes, in Java, before any {@code qemu-img} opens it (in the spirit
 * of oslo.utils' format_inspector). It accepts a plain raw image or a self-contained qcow2 (version 2
 * or 3, no backing file, no external data file, no encryption, no unknown incompatible feature) and
 * refuses everything else with {@link ImageUnsafeException}: qemu would otherwise follow a backing
 * file or data file named by the image itself (a host-file read), or parse a format we never vetted.
 */
public final class FormatInspector {

    private static final int QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"
    private static final int QCOW2_EXT_END = 0;
    private static final int QCOW2_EXT_DATA_FILE = 0x44415441;
    private static final long QCOW2_INCOMPAT_DIRTY = 1L;
    private static final long QCOW2_INCOMPAT_CORRUPT = 1L << 1;
    private static final long QCOW2_INCOMPAT_DATA_FILE = 1L << 2;
    private static final long QCOW2_INCOMPAT_COMPRESSION = 1L << 3;
    private static final long QCOW2_INCOMPAT_EXTL2 = 1L << 4;
    private static final long QCOW2_INCOMPAT_KNOWN_SAFE =
            QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_COMPRESSION | QCOW2_INCOMPAT_EXTL2;
    private static final int HEAD = 64 * 1024;

    /** Inspects {@code file}. @throws ImageUnsafeException it is not an acceptable raw or qcow2 image */
    public Inspection inspect(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = ch.size();
            ByteBuffer head = read(ch, 0, (int) Math.min(HEAD, length));
            ImageFormat format = detect(ch, head, length);
            return switch (format) {
                case RAW -> new Inspection(ImageFormat.RAW, length);
                case QCOW2 -> new Inspection(ImageFormat.QCOW2, inspectQcow2(head));
                default -> throw new ImageUnsafeException("image is " + format.qemuName()
                        + ", only raw and qcow2 are accepted");
            };
        } catch (IOException e) {
            throw new ImageUnsafeException("cannot read image for inspection: " + e.getMessage(), e);
        }
    }

    /**
     * The backing file name recorded in a qcow2 header, if {@code file} is a qcow2 with one. Used to
     * find which base an instance overlay uses, without starting a process or taking qemu's locks.
     */
    public Optional<String> qcow2BackingFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < 72) {
                return Optional.empty();
            }
            ByteBuffer h = read(ch, 0, 72);
            if (h.getInt(0) != QCOW2_MAGIC) {
                return Optional.empty();
            }
            long offset = h.getLong(8);
            int size = h.getInt(16);
            if (offset == 0 || size <= 0 || size > 4096 || offset + size > ch.size()) {
                return Optional.empty();
            }
            ByteBuffer name = read(ch, offset, size);
            return Optional.of(StandardCharsets.UTF_8.decode(name).toString());
        }
    }

    /** The virtual size recorded in a qcow2 header; empty when {@code file} is not a qcow2. */
    public Optional<Long> qcow2VirtualSize(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < 32) {
                return Optional.empty();
            }
            ByteBuffer h = read(ch, 0, 32);
            return h.getInt(0) == QCOW2_MAGIC ? Optional.of(h.getLong(24)) : Optional.empty();
        }
    }

    private static ImageFormat detect(FileChannel ch, ByteBuffer head, long length) throws IOException {
        if (startsWith(head, 0, "QFI\u00fb")) {
            return ImageFormat.QCOW2;
        }
        if (startsWith(head, 0, "QED\0")) {
            return ImageFormat.QED;
        }
        if (startsWith(head, 0, "KDMV") || startsWith(head, 0, "COWD") || startsWith(head, 0, "# Disk DescriptorFile")) {
            return ImageFormat.VMDK;
        }
        if (startsWith(head, 0, "vhdxfile")) {
            return ImageFormat.VHDX;
        }
        if (startsWith(head, 0, "conectix")) {
            return ImageFormat.VHD;
        }
        if (startsWith(head, 0, "LUKS\u00ba\u00be")) {
            return ImageFormat.LUKS;
        }
        if (head.limit() >= 0x44 && head.order(ByteOrder.LITTLE_ENDIAN).getInt(0x40) == 0xbeda107f) {
            head.order(ByteOrder.BIG_ENDIAN);
            return ImageFormat.VDI;
        }
        head.order(ByteOrder.BIG_ENDIAN);
        for (long offset : new long[] {0x8001, 0x8801, 0x9001}) {
            if (length >= offset + 5 && startsWith(read(ch, offset, 5), 0, "CD001")) {
                return ImageFormat.ISO;
            }
        }
        // a fixed VHD is raw data followed by a 512-byte footer
        if (length >= 512 && startsWith(read(ch, length - 512, 8), 0, "conectix")) {
            return ImageFormat.VHD;
        }
        return ImageFormat.RAW;
    }

    private static long inspectQcow2(ByteBuffer h) {
        if (h.limit() < 72) {
            throw new ImageUnsafeException("qcow2 header is truncated");
        }
        int version = h.getInt(4);
        if (version != 2 && version != 3) {
            throw new ImageUnsafeException("qcow2 version " + version + " is not supported (2 or 3 only)");
        }
        if (h.getLong(8) != 0 || h.getInt(16) != 0) {
            throw new ImageUnsafeException("qcow2 image has a backing file: refused");
        }
        int clusterBits = h.getInt(20);
        if (clusterBits < 9 || clusterBits > 21) {
            throw new ImageUnsafeException("qcow2 cluster_bits " + clusterBits + " is invalid");
        }
        long virtualSize = h.getLong(24);
        if (virtualSize < 0) {
            throw new ImageUnsafeException("qcow2 virtual size is invalid");
        }
        if (h.getInt(32) != 0) {
            throw new ImageUnsafeException("qcow2 image is encrypted: refused");
        }
        int headerLength = 72;
        if (version == 3) {
            if (h.limit() < 104) {
                throw new ImageUnsafeException("qcow2 v3 header is truncated");
            }
            long incompatible = h.getLong(72);
            if ((incompatible & QCOW2_INCOMPAT_DATA_FILE) != 0) {
                throw new ImageUnsafeException("qcow2 image uses an external data file: refused");
            }
            if ((incompatible & QCOW2_INCOMPAT_CORRUPT) != 0) {
                throw new ImageUnsafeException("qcow2 image is marked corrupt: refused");
            }
            if ((incompatible & ~QCOW2_INCOMPAT_KNOWN_SAFE) != 0) {
                throw new ImageUnsafeException("qcow2 image has unknown incompatible features 0x"
                        + Long.toHexString(incompatible & ~QCOW2_INCOMPAT_KNOWN_SAFE) + ": refused");
            }
            headerLength = h.getInt(100);
            if (headerLength < 104 || headerLength > 4096) {
                throw new ImageUnsafeException("qcow2 header length " + headerLength + " is invalid");
            }
        }
        checkExtensions(h, headerLength, 1L << clusterBits);
        return virtualSize;
    }

    /** Header extensions follow the header inside the first cluster; a data-file name there is refused too. */
    private static void checkExtensions(ByteBuffer h, int offset, long clusterSize) {
        long end = Math.min(clusterSize, h.limit());
        long pos = offset;
        while (pos + 8 <= end) {
            int type = h.getInt((int) pos);
            long len = Integer.toUnsignedLong(h.getInt((int) pos + 4));
            if (type == QCOW2_EXT_END) {
                return;
            }
            if (type == QCOW2_EXT_DATA_FILE) {
                throw new ImageUnsafeException("qcow2 image names an external data file: refused");
            }
            pos += 8 + ((len + 7) & ~7L);
        }
    }

    private static boolean startsWith(ByteBuffer buf, int offset, String magic) {
        byte[] bytes = magic.getBytes(StandardCharsets.ISO_8859_1);
        if (buf.limit() < offset + bytes.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if (buf.get(offset + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer read(FileChannel ch, long position, int size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(size);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                break;
            }
        }
        buf.flip();
        return buf;
    }
}

package dev.computeagent.image.cache;

import dev.computeagent.image.ImageChecksumMismatchException;
import dev.computeagent.image.ImageDownloadException;
import dev.computeagent.image.ImageDownloadTooSlowException;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.store.ImageMetadata;
import dev.computeagent.image.store.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * One download attempt: streams the image into a part file while hashing it in the same pass, checks
 * the byte count against {@code size}, the digest against the metadata, and the time taken against the
 * fetch's {@link DownloadDeadline}. It does not fsync: the part
 * is often only the input of a conversion; whatever gets committed is fsynced then. The part file is
 * the caller's to delete on failure.
 */
final class VerifiedDownload {

    private static final int BUFFER = 1 << 20;

    private final ImageStore store;

    VerifiedDownload(ImageStore store) {
        this.store = store;
    }

    /**
     * @param deadline checked as bytes arrive
     * @param onBytes  told about every chunk received (for statistics)
     * @throws ImageDownloadException         transport failure (retriable)
     * @throws ImageDownloadTooSlowException  the deadline passed
     * @throws ImageChecksumMismatchException size or hash differ
     */
    void run(ImageMetadata metadata, Path part, DownloadDeadline deadline, LongConsumer onBytes) {
        deadline.check(0);
        Optional<ExpectedDigest> expected = ExpectedDigest.of(metadata);
        MessageDigest digest = expected.map(ExpectedDigest::newDigest).orElse(null);
        long limit = metadata.size().isPresent() ? metadata.size().getAsLong() : Long.MAX_VALUE;
        long received = 0;
        try (FileChannel out = openPart(part); InputStream in = store.open(metadata.id())) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = read(in, buffer, metadata, received)) >= 0) {
                received += n;
                if (received > limit) {
                    throw new ImageChecksumMismatchException("image " + metadata.id() + " is larger than its size "
                            + limit + " bytes");
                }
                if (digest != null) {
                    digest.update(buffer, 0, n);
                }
                writeChunk(out, ByteBuffer.wrap(buffer, 0, n));
                onBytes.accept(n);
                deadline.check(received);
            }
        } catch (IOException e) {
            // only closing can get here; the bytes are all in
            throw new ImageStorageException("cannot close the download of image " + metadata.id() + ": " + e, e);
        }
        if (metadata.size().isPresent() && received != limit) {
            throw new ImageChecksumMismatchException("image " + metadata.id() + " has " + received
                    + " bytes, its metadata says " + limit);
        }
        if (digest != null) {
            byte[] actual = digest.digest();
            if (!expected.get().matches(actual)) {
                throw new ImageChecksumMismatchException("image " + metadata.id() + " " + expected.get().algorithm()
                        + " is " + HexFormat.of().formatHex(actual) + ", its metadata says " + expected.get().hex());
            }
        }
    }

    private int read(InputStream in, byte[] buffer, ImageMetadata metadata, long received) {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw new ImageDownloadException("downloading image " + metadata.id() + " from " + store.describe()
                    + " failed after " + received + " bytes: " + e, e);
        }
    }

    private static FileChannel openPart(Path part) {
        try {
            return FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new ImageStorageException("cannot create " + part + ": " + e.getMessage(), e);
        }
    }

    private static void writeChunk(FileChannel out, ByteBuffer chunk) {
        try {
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        } catch (IOException e) {
            // a local write failure (disk full) is not the store's fault
            throw new ImageStorageException("cannot write the downloaded image: " + e.getMessage(), e);
        }
    }
}

package dev.computeagent.image.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Counts and hashes (MD5 and SHA-512, Glance's {@code checksum} and {@code os_hash_value}) what is read
 * through it, so an upload knows what it sent without reading the file twice.
 */
final class DigestingInputStream extends FilterInputStream {

    private final MessageDigest md5;
    private final MessageDigest sha512;
    private long count;

    DigestingInputStream(InputStream in) {
        super(in);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
            this.sha512 = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks MD5 or SHA-512", e);
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            md5.update((byte) b);
            sha512.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            md5.update(buffer, offset, n);
            sha512.update(buffer, offset, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) {
        // skipped bytes would be missing from the hashes
        return 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    long count() {
        return count;
    }

    /** Once the stream is read to its end: MD5 hex. */
    String md5Hex() {
        return HexFormat.of().formatHex(md5.digest());
    }

    /** Once the stream is read to its end: SHA-512 hex. */
    String sha512Hex() {
        return HexFormat.of().formatHex(sha512.digest());
    }
}

package dev.computeagent.image.cache;

import dev.computeagent.image.ImageChecksumMismatchException;
import dev.computeagent.image.store.ImageMetadata;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The hash a download must have: Glance's multihash ({@code os_hash_algo}/{@code os_hash_value})
 * when given, else the legacy MD5 {@code checksum}, else none.
 */
record ExpectedDigest(String algorithm, String javaName, String hex) {

    static Optional<ExpectedDigest> of(ImageMetadata metadata) {
        if (metadata.hashValue().isPresent()) {
            String algo = metadata.hashAlgo().orElse("sha512").toLowerCase(Locale.ROOT);
            String javaName = switch (algo) {
                case "sha512" -> "SHA-512";
                case "sha384" -> "SHA-384";
                case "sha256" -> "SHA-256";
                case "sha224" -> "SHA-224";
                case "sha1" -> "SHA-1";
                case "md5" -> "MD5";
                case "sha3_512", "sha3-512" -> "SHA3-512";
                case "sha3_256", "sha3-256" -> "SHA3-256";
                default -> throw new ImageChecksumMismatchException("image " + metadata.id()
                        + " uses an unsupported os_hash_algo " + algo + ": cannot verify it");
            };
            return Optional.of(new ExpectedDigest(algo, javaName, metadata.hashValue().get().toLowerCase(Locale.ROOT)));
        }
        return metadata.checksum().map(md5 -> new ExpectedDigest("md5", "MD5", md5.toLowerCase(Locale.ROOT)));
    }

    MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(javaName);
        } catch (NoSuchAlgorithmException e) {
            throw new ImageChecksumMismatchException("hash algorithm " + algorithm + " is not available", e);
        }
    }

    boolean matches(byte[] digest) {
        return HexFormat.of().formatHex(digest).equals(hex);
    }
}

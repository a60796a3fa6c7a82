package dev.computeagent.image.cache;

import dev.computeagent.image.InvalidImageIdException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Image id rules. An id is 1–128 characters of {@code [A-Za-z0-9._-]} and not only dots, so it can
 * name a file inside a directory store and nothing outside it; the cache itself names files by a
 * hash of the id, so no id reaches the file system there at all.
 */
public final class ImageIds {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern ONLY_DOTS = Pattern.compile("\\.+");

    private ImageIds() {
    }

    /** @throws InvalidImageIdException when {@code id} breaks the rules (null, empty, {@code ..}, {@code /}, NUL, …) */
    public static String validate(@Nullable String id) {
        if (id == null || !VALID.matcher(id).matches() || ONLY_DOTS.matcher(id).matches()) {
            throw new InvalidImageIdException("invalid image id " + printable(id)
                    + ": expected 1-128 characters of [A-Za-z0-9._-], not only dots");
        }
        return id;
    }

    /** The cache file name of a valid id: hex SHA-256 of the id, like Nova's hashed base names. */
    public static String cacheName(String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static String printable(@Nullable String id) {
        if (id == null) {
            return "null";
        }
        String shown = id.length() > 64 ? id.substring(0, 64) + "…" : id;
        StringBuilder sb = new StringBuilder("\"");
        shown.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append('"').toString();
    }
}

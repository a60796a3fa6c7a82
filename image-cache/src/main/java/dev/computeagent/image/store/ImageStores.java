package dev.computeagent.image.store;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Chooses the {@link ImageStore} for a store URL. */
public final class ImageStores {

    private ImageStores() {
    }

    /** @throws IllegalArgumentException the scheme is not {@code http}, {@code https} or {@code file} */
    public static ImageStore forUrl(URI url, Optional<String> token, Duration stallTimeout) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "http", "https" -> new GlanceImageStore(url, token, stallTimeout);
            case "file" -> new DirectoryImageStore(Path.of(url));
            default -> throw new IllegalArgumentException("unsupported image store URL scheme: " + scheme
                    + " (expected http, https or file)");
        };
    }
}

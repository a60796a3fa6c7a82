package dev.computeagent.image;

import dev.computeagent.image.cache.DefaultImageCache;

/** Builds {@link ImageCache}s. */
public final class ImageCaches {

    private ImageCaches() {
    }

    /**
     * Opens the cache under {@code settings.stateDir()/_base} (created when missing), with its image
     * store chosen by the URL scheme ({@code http}, {@code https} or {@code file}).
     *
     * @throws IllegalArgumentException the store URL has another scheme
     * @throws ImageStorageException    the cache directory cannot be created
     */
    public static ImageCache open(ImageCacheSettings settings) {
        return open(settings, ImageCacheOptions.defaults());
    }

    /** As {@link #open(ImageCacheSettings)}, with explicit tuning. */
    public static ImageCache open(ImageCacheSettings settings, ImageCacheOptions options) {
        return DefaultImageCache.open(settings, options);
    }
}

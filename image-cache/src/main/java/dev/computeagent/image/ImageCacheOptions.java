package dev.computeagent.image;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning knobs of an {@link ImageCache} that are not part of the agent's configuration contract.
 *
 * @param downloadAttempts     tries per transport failure (5xx, connection error, stall), at least 1
 * @param initialBackoff       wait before the second try; doubled per try
 * @param maxBackoff           upper bound of one wait
 * @param qemuImgTimeout       wall-clock limit of one {@code qemu-img info} or {@code create}
 * @param qemuImgConvertTimeout wall-clock limit of one {@code qemu-img convert} before its share per GiB of
 *                             virtual size (60 s per GiB is added: see {@code ConvertLimits})
 * @param maxVirtualSize       no image with a larger virtual size is cached, whatever the caller
 *                             ({@link ImageTooLargeException}); the default is the largest root disk
 *                             a spawn can ask for (16384 GiB), so nothing larger is ever converted
 */
public record ImageCacheOptions(int downloadAttempts, Duration initialBackoff, Duration maxBackoff,
                                Duration qemuImgTimeout, Duration qemuImgConvertTimeout, long maxVirtualSize) {

    public ImageCacheOptions {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(qemuImgTimeout, "qemuImgTimeout");
        Objects.requireNonNull(qemuImgConvertTimeout, "qemuImgConvertTimeout");
        if (maxVirtualSize < 1) {
            throw new IllegalArgumentException("maxVirtualSize must be >= 1");
        }
        if (downloadAttempts < 1) {
            throw new IllegalArgumentException("downloadAttempts must be >= 1");
        }
    }

    /** The largest root disk of a spawn command: 16384 GiB. */
    public static final long DEFAULT_MAX_VIRTUAL_SIZE = 16384L << 30;

    /**
     * 3 tries with 0.2 s then 0.4 s backoff (at most 1 s), 30 s for info/create, 10 min (+ 60 s per GiB) for convert,
     * images up to 16384 GiB.
     */
    public static ImageCacheOptions defaults() {
        return new ImageCacheOptions(3, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofMinutes(10), DEFAULT_MAX_VIRTUAL_SIZE);
    }

    /** The same options with another backoff (tests use a few milliseconds). */
    public ImageCacheOptions withBackoff(Duration initial, Duration max) {
        return new ImageCacheOptions(downloadAttempts, initial, max, qemuImgTimeout, qemuImgConvertTimeout,
                maxVirtualSize);
    }
}

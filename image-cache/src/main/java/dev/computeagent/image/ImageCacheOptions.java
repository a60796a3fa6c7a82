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
 * @param qemuImgConvertTimeout wall-clock limit of one {@code qemu-img convert}
 */
public record ImageCacheOptions(int downloadAttempts, Duration initialBackoff, Duration maxBackoff,
                                Duration qemuImgTimeout, Duration qemuImgConvertTimeout) {

    public ImageCacheOptions {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(qemuImgTimeout, "qemuImgTimeout");
        Objects.requireNonNull(qemuImgConvertTimeout, "qemuImgConvertTimeout");
        if (downloadAttempts < 1) {
            throw new IllegalArgumentException("downloadAttempts must be >= 1");
        }
    }

    /** 3 tries with 0.2 s then 0.4 s backoff (at most 1 s), 30 s for info/create, 10 min for convert. */
    public static ImageCacheOptions defaults() {
        return new ImageCacheOptions(3, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofMinutes(10));
    }

    /** The same options with another backoff (tests use a few milliseconds). */
    public ImageCacheOptions withBackoff(Duration initial, Duration max) {
        return new ImageCacheOptions(downloadAttempts, initial, max, qemuImgTimeout, qemuImgConvertTimeout);
    }
}

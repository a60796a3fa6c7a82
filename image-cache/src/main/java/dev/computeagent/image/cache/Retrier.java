package dev.computeagent.image.cache;

import dev.computeagent.image.ImageDownloadException;
import dev.computeagent.image.ImageCacheOptions;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Retries retriable transport failures ({@link ImageDownloadException}) with bounded exponential backoff. */
final class Retrier {

    private static final Logger log = LoggerFactory.getLogger(Retrier.class);

    private final int attempts;
    private final Duration initial;
    private final Duration max;

    Retrier(ImageCacheOptions options) {
        this.attempts = options.downloadAttempts();
        this.initial = options.initialBackoff();
        this.max = options.maxBackoff();
    }

    <T> T call(String what, Supplier<T> action) {
        Duration backoff = initial;
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (ImageDownloadException e) {
                if (!e.retriable()) {
                    throw e;
                }
                if (attempt >= attempts) {
                    throw new ImageDownloadException(what + " failed after " + attempts + " attempts: "
                            + e.getMessage(), e);
                }
                log.warn("{} failed (attempt {}/{}), retrying in {} ms: {}", what, attempt, attempts,
                        backoff.toMillis(), e.getMessage());
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(max) > 0 ? max : backoff.multipliedBy(2);
            }
        }
    }

    private static void pause(Duration backoff) {
        try {
            // a deliberate backoff between attempts, not a wait for some state
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageDownloadException("interrupted during download backoff", e);
        }
    }
}

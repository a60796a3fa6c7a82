package dev.computeagent.image.cache;

import dev.computeagent.image.ImageDownloadTooSlowException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * How long the download of one image may take, every attempt together: the stall timeout, plus the
 * image's size at the minimum rate. When the store gives no size, the bytes received so far stand in
 * for it, so the bytes must keep coming at the minimum rate on average. Checked as bytes arrive (a
 * store that sends nothing at all is cut by the stall timeout instead).
 */
final class DownloadDeadline {

    private static final double NANOS_PER_SECOND = 1e9;

    private final String imageId;
    private final OptionalLong size;
    private final long minRate;
    private final long graceNanos;
    private final long startNanos;

    private DownloadDeadline(String imageId, OptionalLong size, long minRate, Duration grace, long startNanos) {
        this.imageId = imageId;
        this.size = size;
        this.minRate = minRate;
        this.graceNanos = grace.toNanos();
        this.startNanos = startNanos;
    }

    /**
     * @param size    the size the store announced, if any
     * @param minRate bytes per second, at least 1
     * @param grace   time allowed on top of the size at the minimum rate (the stall timeout)
     */
    static DownloadDeadline startingNow(String imageId, OptionalLong size, long minRate, Duration grace) {
        if (minRate < 1) {
            throw new IllegalArgumentException("minRate must be >= 1");
        }
        return new DownloadDeadline(imageId, size, minRate, grace, System.nanoTime());
    }

    /**
     * @param received bytes received by the current attempt
     * @throws ImageDownloadTooSlowException the download has taken longer than allowed for its size
     */
    void check(long received) {
        long bytes = size.isPresent() ? Math.max(size.getAsLong(), received) : received;
        double allowedNanos = graceNanos + bytes / (double) minRate * NANOS_PER_SECOND;
        long elapsed = System.nanoTime() - startNanos;
        if (elapsed > allowedNanos) {
            throw new ImageDownloadTooSlowException("download of image " + imageId + " is too slow: " + received
                    + " of " + (size.isPresent() ? size.getAsLong() + " bytes" : "an unknown number of bytes")
                    + " after " + elapsed / 1_000_000 + " ms, over the " + (long) (allowedNanos / 1_000_000)
                    + " ms allowed (stall timeout " + graceNanos / 1_000_000 + " ms plus the size at " + minRate
                    + " bytes/s)");
        }
    }
}

package dev.computeagent.image;

/**
 * A download did not finish within its deadline: the stall timeout plus the image's size at the
 * minimum download rate ({@link ImageCacheSettings#minDownloadRate()}). A store that keeps sending a
 * trickle of bytes never stalls, but would hold a download slot and the image's lock for as long as it
 * likes. Not retried (the deadline covers every attempt of the fetch) and not retriable as such: the
 * store, or the path to it, is too slow for this image.
 */
public class ImageDownloadTooSlowException extends ImageDownloadException {

    public ImageDownloadTooSlowException(String message) {
        super(message);
    }

    @Override
    public String reason() {
        return "DOWNLOAD_TOO_SLOW";
    }

    @Override
    public boolean retriable() {
        return false;
    }
}

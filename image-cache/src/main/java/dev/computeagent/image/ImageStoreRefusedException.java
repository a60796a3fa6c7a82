package dev.computeagent.image;

/**
 * The image store refused the request itself (HTTP 4xx other than 404, e.g. a rejected token): a
 * configuration or credential problem that retrying the same request will not fix, so it is neither
 * retried nor retriable.
 */
public class ImageStoreRefusedException extends ImageDownloadException {

    public ImageStoreRefusedException(String message) {
        super(message);
    }

    @Override
    public boolean retriable() {
        return false;
    }
}

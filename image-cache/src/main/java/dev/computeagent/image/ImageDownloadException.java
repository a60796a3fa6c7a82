package dev.computeagent.image;

/** The image could not be downloaded (transport error, 5xx, stall) after bounded retries. */
public class ImageDownloadException extends ImageException {

    public ImageDownloadException(String message) {
        super(message, null);
    }

    public ImageDownloadException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "DOWNLOAD_FAILED";
    }

    @Override
    public boolean retriable() {
        return true;
    }
}

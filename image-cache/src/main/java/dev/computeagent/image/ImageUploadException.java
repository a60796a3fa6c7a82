package dev.computeagent.image;

/**
 * An image could not be uploaded to the store (transport error, 5xx, the store's hashes differ from the
 * bytes sent, a local read failure). What the upload had created in the store was deleted. Retriable: the
 * same snapshot may succeed once the store is healthy again, unless the store refused the request itself.
 */
public class ImageUploadException extends ImageException {

    private final boolean retriable;

    public ImageUploadException(String message) {
        this(message, null, true);
    }

    public ImageUploadException(String message, Throwable cause) {
        this(message, cause, true);
    }

    /** @param retriable false when the store refused the request itself (e.g. a rejected token, HTTP 403) */
    public ImageUploadException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    @Override
    public String reason() {
        return "UPLOAD_FAILED";
    }

    @Override
    public boolean retriable() {
        return retriable;
    }
}

package dev.computeagent.image;

/**
 * Base of every image-cache failure. The subtype is the decision; {@link #retriable()} says
 * whether the same request may succeed later.
 */
public abstract class ImageException extends RuntimeException {

    protected ImageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A stable reason name used in statistics, e.g. {@code UNSAFE}. */
    public abstract String reason();

    public boolean retriable() {
        return false;
    }
}

package dev.computeagent.image;

/** The store has no active image with this id. */
public class ImageNotFoundException extends ImageException {

    public ImageNotFoundException(String message) {
        super(message, null);
    }

    public ImageNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "NOT_FOUND";
    }
}

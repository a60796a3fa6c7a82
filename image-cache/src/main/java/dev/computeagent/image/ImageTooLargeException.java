package dev.computeagent.image;

/** The image's virtual size exceeds the requested disk size. */
public class ImageTooLargeException extends ImageException {

    public ImageTooLargeException(String message) {
        super(message, null);
    }

    public ImageTooLargeException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "TOO_LARGE";
    }
}

package dev.computeagent.image;

/** The image id is not 1–128 characters of [A-Za-z0-9._-] (or could reach outside the cache). */
public class InvalidImageIdException extends ImageException {

    public InvalidImageIdException(String message) {
        super(message, null);
    }

    public InvalidImageIdException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "INVALID_ID";
    }
}

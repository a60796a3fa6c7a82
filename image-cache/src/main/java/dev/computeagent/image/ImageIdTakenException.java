package dev.computeagent.image;

/**
 * The store already holds another image under the id an upload asked for (one not made by a snapshot of
 * the same instance). The caller's choice of id: not retriable; the existing image is left untouched.
 */
public class ImageIdTakenException extends ImageException {

    public ImageIdTakenException(String message) {
        super(message, null);
    }

    @Override
    public String reason() {
        return "ID_TAKEN";
    }
}

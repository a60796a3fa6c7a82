package dev.computeagent.image;

/** The image is not a plain raw or qcow2 image of its declared format (backing file, data file, unknown features, other format). */
public class ImageUnsafeException extends ImageException {

    public ImageUnsafeException(String message) {
        super(message, null);
    }

    public ImageUnsafeException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "UNSAFE";
    }
}

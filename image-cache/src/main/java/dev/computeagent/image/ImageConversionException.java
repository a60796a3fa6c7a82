package dev.computeagent.image;

/**
 * {@code qemu-img convert} could not finish on this host: a resource limit or the wall clock killed
 * it, it crashed, or it could not be started. The image had passed every check by then, so this is
 * the host's failure, never the caller's or the image's. Retriable: the same request may succeed once
 * the host is less loaded (or elsewhere).
 */
public class ImageConversionException extends ImageException {

    public ImageConversionException(String message) {
        super(message, null);
    }

    public ImageConversionException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "CONVERSION";
    }

    @Override
    public boolean retriable() {
        return true;
    }
}

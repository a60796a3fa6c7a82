package dev.computeagent.image;

/** The downloaded bytes do not match the store's size or hash. */
public class ImageChecksumMismatchException extends ImageException {

    public ImageChecksumMismatchException(String message) {
        super(message, null);
    }

    public ImageChecksumMismatchException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "CHECKSUM_MISMATCH";
    }
}

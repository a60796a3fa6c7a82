package dev.computeagent.image;

/**
 * A local failure while caching an image or making an overlay: disk full, {@code qemu-img} failed or
 * timed out, an existing overlay that cannot be reused. Retriable: the same request may succeed
 * once the host is healthy again (for example after garbage collection freed space).
 */
public class ImageStorageException extends ImageException {

    public ImageStorageException(String message) {
        super(message, null);
    }

    public ImageStorageException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "STORAGE";
    }

    @Override
    public boolean retriable() {
        return true;
    }
}

package dev.computeagent.image.store;

import java.io.InputStream;

/**
 * Where images come from. Implementations validate nothing about the image bytes; they report
 * transport problems as {@link dev.computeagent.image.ImageDownloadException} (retriable, the
 * caller retries) and absent images as {@link dev.computeagent.image.ImageNotFoundException}.
 * Ids passed in are already validated.
 */
public interface ImageStore {

    /** The image's metadata; not checked for status or format here. */
    ImageMetadata metadata(String imageId);

    /**
     * Opens the image's bytes. Reads throw {@link java.io.IOException} on a transport failure,
     * including a stall longer than the configured download timeout.
     */
    InputStream open(String imageId);

    /** A description for logs and messages, never with a credential. */
    String describe();
}

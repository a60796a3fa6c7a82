package dev.computeagent.image.store;

import dev.computeagent.image.ImageUpload;
import dev.computeagent.image.StoredImage;
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

    /**
     * Puts {@code upload}'s file into the store as a new active image with the given id, name and properties,
     * its size and hashes ({@code checksum} MD5, {@code os_hash_algo sha512}) those of the bytes sent. All or
     * nothing: a failed upload deletes what it had created. An image with the same id and the same
     * {@link ImageUpload#INSTANCE_UUID} is an earlier attempt of the same upload: an active one is the
     * result, an unfinished one is replaced.
     *
     * @throws dev.computeagent.image.ImageUploadException  transport failure, the store's error, hashes that
     *                                                      differ from the bytes sent (retriable)
     * @throws dev.computeagent.image.ImageIdTakenException another image already has this id
     * @throws dev.computeagent.image.ImageStoreRefusedException the store refused the request (e.g. the token)
     */
    StoredImage upload(ImageUpload upload);

    /** A description for logs and messages, never with a credential. */
    String describe();
}

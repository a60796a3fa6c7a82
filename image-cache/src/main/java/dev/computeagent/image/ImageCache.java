package dev.computeagent.image;

import java.nio.file.Path;
import java.util.List;

/**
 * The host's base-image cache and the instance disks made from it.
 *
 * <p>Every method is thread-safe and safe across processes sharing one state directory.
 * Every failure is an {@link ImageException} subtype; a failure never leaves a cache entry or a
 * partial file behind.
 */
public interface ImageCache extends AutoCloseable {

    /**
     * Makes sure the image is in the cache: downloaded, verified, inspected, converted. Concurrent
     * calls for one image share one download and get the same result, including the same error.
     *
     * @throws ImageNotFoundException         the store does not have it (or it is not active)
     * @throws ImageDownloadException         transport failure after bounded retries (retriable); its subtypes
     *                                        {@link ImageStoreRefusedException} (the store refused the request,
     *                                        e.g. a bad token) and {@link ImageDownloadTooSlowException} (the
     *                                        download missed its deadline) are not retried and not retriable
     * @throws ImageChecksumMismatchException size or hash differ from the store's metadata
     * @throws ImageUnsafeException           the bytes are not a plain raw/qcow2 image of the declared format,
     *                                        or a Glance store gives neither size nor hash to verify them
     * @throws InvalidImageIdException        the id is not a valid image id
     * @throws ImageStorageException          a local failure: disk full, qemu-img failed or timed out (retriable)
     */
    CachedImage fetch(String imageId);

    /**
     * {@link #fetch(String)} with a size limit: an image not cached yet whose virtual size (from the
     * store's metadata, else from inspection) is above {@code maxVirtualSizeBytes} is refused before
     * conversion and never enters the cache. An image already cached is checked against the limit too.
     *
     * @param maxVirtualSizeBytes the disk the image must fit, 0 = no limit (other than the cache's own)
     * @throws ImageTooLargeException the image's virtual size is above {@code maxVirtualSizeBytes}
     * @throws ImageException         any failure of {@link #fetch(String)}
     */
    CachedImage fetch(String imageId, long maxVirtualSizeBytes);

    /**
     * Creates the qcow2 overlay {@code overlay} over the cached base of {@code imageId} (fetching it
     * first when needed), with virtual size {@code sizeBytes} (0 = the image's virtual size). An
     * overlay already at that path over the same base is reused, never overwritten.
     *
     * @throws ImageTooLargeException {@code sizeBytes} is smaller than the image's virtual size; when the image
     *                                was not cached yet it is refused before conversion and not cached
     * @throws ImageStorageException  a file that is not an overlay of this base is already at {@code overlay}
     *                                (it is left untouched), or qemu-img failed
     * @throws ImageException         any failure of {@link #fetch}; the overlay file is not left behind
     */
    Overlay createOverlay(String imageId, Path overlay, long sizeBytes);

    /**
     * Creates an empty qcow2 disk without backing file (an ephemeral disk) of {@code sizeBytes} at
     * {@code disk}. An existing empty qcow2 disk of that size there is reused, never overwritten.
     *
     * @throws IllegalArgumentException {@code sizeBytes} is not positive
     * @throws ImageStorageException    another file is already at {@code disk} (it is left untouched), or
     *                                  qemu-img failed; the disk is not left behind
     */
    void createBlankDisk(Path disk, long sizeBytes);

    /**
     * The virtual size of the instance's qcow2 disk {@code disk} (an overlay or an ephemeral disk), read
     * from its header.
     *
     * @throws ImageStorageException it is missing or not a qcow2 image
     */
    long diskVirtualSize(Path disk);

    /**
     * Grows the instance's qcow2 disk {@code disk} to {@code sizeBytes} (a resize); a disk already that
     * large is left as it is, so a repeated call is harmless. Never shrinks.
     *
     * @throws ImageStorageException it is not a qcow2 image, or qemu-img failed (the disk keeps its size)
     */
    void growDisk(Path disk, long sizeBytes);

    /**
     * Puts a file made on this host (an instance's snapshot) into the image store as a new image; the cache
     * itself is not involved (the image enters it when an instance is spawned from it). All or nothing, and
     * an earlier attempt of the same upload is recognised: see {@link dev.computeagent.image.store.ImageStore#upload}.
     *
     * @throws InvalidImageIdException the id is not a valid image id
     * @throws ImageUploadException     the upload failed; nothing of it is left in the store
     * @throws ImageIdTakenException    the store has another image with this id
     */
    StoredImage upload(ImageUpload upload);

    /** The cached base images. */
    List<CachedImage> list();

    /** Counters since start-up plus the cache's current size. */
    CacheStatistics statistics();

    /**
     * Removes unused base images older than the configured age, then least-recently-used unused
     * ones while the cache is above its quota. A base some overlay uses is never removed: use is read
     * from the backing chains of {@code <state-dir>/instances/*}{@code /disk} and re-checked under the
     * image's lock, so a concurrent {@link #createOverlay} either keeps the base or fetches it again.
     *
     * @throws ImageStorageException the instance directories cannot be read (then nothing is removed)
     */
    GcReport collectGarbage();

    @Override
    void close();
}

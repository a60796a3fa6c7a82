package dev.computeagent.image;

/**
 * An image the store holds after an upload, as the store reports it (and checked against the bytes sent).
 *
 * @param imageId   its id
 * @param size      its size in bytes
 * @param checksum  MD5 hex of its bytes
 * @param sha512    SHA-512 hex of its bytes ({@code os_hash_algo sha512})
 */
public record StoredImage(String imageId, long size, String checksum, String sha512) {
}

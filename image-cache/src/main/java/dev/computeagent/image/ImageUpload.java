package dev.computeagent.image;

import java.nio.file.Path;
import java.util.Map;

/**
 * An image to put into the store under an id the caller chose.
 *
 * @param imageId    the new image's id (validated by the caller as image ids are)
 * @param name       its name
 * @param file       the bytes to upload, a complete file that does not change meanwhile
 * @param diskFormat the file's format, {@code qcow2} or {@code raw}
 * @param properties additional image properties (Glance v2 top-level strings), e.g. {@code instance_uuid};
 *                   an upload finding an image with the same id <em>and</em> the same {@code instance_uuid}
 *                   treats it as its own earlier attempt
 */
public record ImageUpload(String imageId, String name, Path file, String diskFormat, Map<String, String> properties) {

    /** The property naming the instance an image was made from (as Nova sets it on snapshots). */
    public static final String INSTANCE_UUID = "instance_uuid";

    public ImageUpload {
        properties = Map.copyOf(properties);
    }
}

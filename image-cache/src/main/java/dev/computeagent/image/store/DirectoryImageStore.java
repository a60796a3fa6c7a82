package dev.computeagent.image.store;

import dev.computeagent.image.ImageDownloadException;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.image.ImageUnsafeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A directory of images: {@code {dir}/{id}} with an optional {@code {dir}/{id}.json} holding Glance
 * fields. Without the JSON the image is active, its format detected, and there is nothing to verify;
 * a JSON without {@code status} means active too. A JSON that cannot be read or parsed makes the image
 * {@link ImageUnsafeException} (not retriable, never retried as a download error): the store's
 * description of the image cannot be trusted, so neither can its bytes.
 */
public final class DirectoryImageStore implements ImageStore {

    private final Path dir;

    public DirectoryImageStore(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    @Override
    public ImageMetadata metadata(String imageId) {
        Path image = file(imageId);
        if (!Files.isRegularFile(image)) {
            throw new ImageNotFoundException("image " + imageId + " not found in " + dir);
        }
        Path json = dir.resolve(imageId + ".json");
        if (!Files.exists(json)) {
            return ImageMetadata.unknown(imageId);
        }
        try {
            return MetadataParser.parse(Files.readAllBytes(json), imageId, Optional.of("active"));
        } catch (IOException e) {
            // a local file that cannot be read will not become readable by retrying the download
            throw new ImageUnsafeException("image " + imageId + " has unreadable metadata " + json + ": "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ImageUnsafeException("image " + imageId + " has invalid metadata " + json + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(String imageId) {
        try {
            return Files.newInputStream(file(imageId));
        } catch (NoSuchFileException e) {
            throw new ImageNotFoundException("image " + imageId + " not found in " + dir, e);
        } catch (IOException e) {
            throw new ImageDownloadException("cannot read image " + imageId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "directory " + dir;
    }

    private Path file(String imageId) {
        Path file = dir.resolve(imageId).normalize();
        if (!dir.equals(file.getParent())) {
            // ids are validated before they get here; this is the second fence
            throw new IllegalArgumentException("image id escapes the store directory");
        }
        return file;
    }
}

package dev.computeagent.image.store;

import dev.computeagent.hostio.AtomicFiles;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.ImageDownloadException;
import dev.computeagent.image.ImageIdTakenException;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.image.ImageUnsafeException;
import dev.computeagent.image.ImageUpload;
import dev.computeagent.image.ImageUploadException;
import dev.computeagent.image.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A directory of images: {@code {dir}/{id}} with an optional {@code {dir}/{id}.json} holding Glance
 * fields. Without the JSON the image is active, its format detected, and there is nothing to verify;
 * a JSON without {@code status} means active too. A JSON that cannot be read or parsed makes the image
 * {@link ImageUnsafeException} (not retriable, never retried as a download error): the store's
 * description of the image cannot be trusted, so neither can its bytes.
 *
 * <p>An upload writes {@code {dir}/{id}.json} first (atomically) and then renames the fully written and
 * synced bytes to {@code {dir}/{id}}: a reader never sees the image before its description, nor a torn image.
 */
public final class DirectoryImageStore implements ImageStore {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

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
    public StoredImage upload(ImageUpload upload) {
        String id = upload.imageId();
        Path image = file(id);
        Path json = dir.resolve(id + ".json");
        boolean ours = Files.exists(json) && isOurs(upload, json);
        if (Files.exists(image)) {
            if (ours) {
                return stored(metadata(id));
            }
            throw new ImageIdTakenException("image " + id + " already exists in " + describe());
        }
        if (Files.exists(json) && !ours) {
            throw new ImageIdTakenException("image " + id + " already has metadata in " + describe());
        }
        Path part = null;
        boolean described = false;
        try {
            part = Files.createTempFile(dir, "." + id + ".", ".upload");
            Files.copy(upload.file(), part, StandardCopyOption.REPLACE_EXISTING);
            // the copy is what the store holds: its hashes are the image's
            long size = Files.size(part);
            FileHashes.Hashes sent = new FileHashes(new ProcessRunner()).of(part, size);
            StoredImage result = new StoredImage(id, size, sent.md5(), sent.sha512());
            AtomicFiles.write(json, MAPPER.writeValueAsBytes(description(upload, result)));
            described = true;
            AtomicFiles.moveIntoPlace(part, image);
            part = null;
            return result;
        } catch (IOException e) {
            if (described) {
                deleteQuietly(json);
            }
            throw new ImageUploadException("cannot write image " + id + " to " + describe() + ": " + e.getMessage(), e);
        } finally {
            if (part != null) {
                deleteQuietly(part);
            }
        }
    }

    private boolean isOurs(ImageUpload upload, Path json) {
        try {
            ImageMetadata existing = MetadataParser.parse(Files.readAllBytes(json), upload.imageId(), Optional.of("active"));
            String instance = upload.properties().get(ImageUpload.INSTANCE_UUID);
            return instance != null && Objects.equals(instance, existing.properties().get(ImageUpload.INSTANCE_UUID));
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static StoredImage stored(ImageMetadata metadata) {
        return new StoredImage(metadata.id(), metadata.size().orElse(0), metadata.checksum().orElse(""),
                metadata.hashValue().orElse(""));
    }

    private static ObjectNode description(ImageUpload upload, StoredImage result) {
        ObjectNode node = MAPPER.createObjectNode();
        upload.properties().forEach(node::put);
        node.put("id", upload.imageId());
        node.put("name", upload.name());
        node.put("status", "active");
        node.put("disk_format", upload.diskFormat());
        node.put("container_format", "bare");
        node.put("size", result.size());
        node.put("checksum", result.checksum());
        node.put("os_hash_algo", "sha512");
        node.put("os_hash_value", result.sha512());
        return node;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover hidden file is never served: only {dir}/{id} is
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

package dev.computeagent.image.store;

import dev.computeagent.image.ImageIdTakenException;
import dev.computeagent.image.ImageUpload;
import dev.computeagent.image.ImageUploadException;
import dev.computeagent.image.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One upload to Glance v2: {@code POST /v2/images} with the caller's id, name, formats and properties,
 * {@code PUT /v2/images/{id}/file} streaming the file (its SHA-512 computed meanwhile by {@link FileHashes}), then
 * {@code GET /v2/images/{id}}: the store must report the image active with the size and the hashes of the
 * bytes sent. Any failure after the image was created deletes it ({@code DELETE /v2/images/{id}}). 5xx,
 * 408, 429 and transport failures are retriable {@link ImageUploadException}s, other refusals are not.
 * The token travels as {@code X-Auth-Token} and never into a message.
 */
final class GlanceUpload {

    private static final Logger log = LoggerFactory.getLogger(GlanceUpload.class);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final int MAX_JSON_BYTES = 1 << 20;
    /** The slowest store an upload waits for: its deadline grows with the file at this rate. */
    private static final long MIN_BYTES_PER_SECOND = 1 << 20;

    private final HttpClient client;
    private final URI base;
    private final Optional<String> token;
    private final Duration timeout;
    private final String store;
    private final FileHashes hashes;

    private record Answer(int status, byte[] body) {
    }

    GlanceUpload(HttpClient client, URI base, Optional<String> token, Duration timeout, String store,
                 FileHashes hashes) {
        this.client = client;
        this.hashes = hashes;
        this.base = base;
        this.token = token;
        this.timeout = timeout;
        this.store = store;
    }

    StoredImage upload(ImageUpload upload) {
        String id = upload.imageId();
        Optional<StoredImage> earlier = create(upload, true);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        try {
            return verify(upload, putFile(upload));
        } catch (RuntimeException e) {
            delete(id);
            throw e;
        }
    }

    /** Creates the image record; an active image of an earlier attempt is the result instead. */
    private Optional<StoredImage> create(ImageUpload upload, boolean mayReplace) {
        ObjectNode body = MAPPER.createObjectNode();
        upload.properties().forEach(body::put);
        body.put("id", upload.imageId());
        body.put("name", upload.name());
        body.put("disk_format", upload.diskFormat());
        body.put("container_format", "bare");
        Answer answer = send(upload.imageId(), "create", request("v2/images", timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body))));
        if (answer.status() == 201 || answer.status() == 200) {
            return Optional.empty();
        }
        if (answer.status() != 409) {
            throw failure(upload.imageId(), "create", answer.status());
        }
        ImageMetadata existing = metadata(upload.imageId());
        String instance = upload.properties().get(ImageUpload.INSTANCE_UUID);
        if (instance == null || !Objects.equals(instance, existing.properties().get(ImageUpload.INSTANCE_UUID))) {
            throw new ImageIdTakenException("image " + upload.imageId() + " already exists in " + store);
        }
        if ("active".equals(existing.status())) {
            log.info("image {} is already in {} from an earlier attempt of this snapshot", upload.imageId(), store);
            return Optional.of(new StoredImage(existing.id(), existing.size().orElse(0),
                    existing.checksum().orElse(""), existing.hashValue().orElse("")));
        }
        if (!mayReplace) {
            throw new ImageUploadException("image " + upload.imageId() + " in " + store
                    + " is still there after it was deleted");
        }
        // an unfinished image of an earlier attempt (the agent died during its upload): start over
        delete(upload.imageId());
        return create(upload, false);
    }

    /** What one upload sent: the bytes' size and SHA-512 (the hash Glance's multihash reports). */
    private record Sent(String imageId, long size, String sha512) {
    }

    /**
     * Streams the file straight from its channel while {@link FileHashes} computes its SHA-512 beside: on a
     * host with a core to spare the hash costs no time (the file does not change meanwhile, the upload's
     * contract, checked by its size before and after).
     */
    private Sent putFile(ImageUpload upload) {
        String id = upload.imageId();
        long size;
        HttpRequest.BodyPublisher bytes;
        try {
            size = Files.size(upload.file());
            bytes = HttpRequest.BodyPublishers.ofFile(upload.file());
        } catch (IOException e) {
            throw new ImageUploadException("cannot read " + upload.file() + " for image " + id + ": " + e, e);
        }
        CompletableFuture<String> hashed = CompletableFuture.supplyAsync(() -> hashes.sha512(upload.file(), size));
        Duration deadline = timeout.plusSeconds(size / MIN_BYTES_PER_SECOND);
        Answer answer = send(id, "upload", request("v2/images/" + id + "/file", deadline)
                .header("Content-Type", "application/octet-stream")
                .PUT(bytes));
        String sha512;
        try {
            sha512 = hashed.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof ImageUploadException failure ? failure
                    : new ImageUploadException("cannot hash " + upload.file() + " for image " + id + ": "
                            + e.getCause(), e.getCause());
        }
        if (answer.status() != 204 && answer.status() != 200 && answer.status() != 201) {
            throw failure(id, "upload", answer.status());
        }
        try {
            if (Files.size(upload.file()) != size) {
                throw new ImageUploadException("image " + id + ": " + upload.file() + " changed during its upload");
            }
        } catch (IOException e) {
            throw new ImageUploadException("cannot read " + upload.file() + " for image " + id + ": " + e, e);
        }
        return new Sent(id, size, sha512);
    }

    /**
     * The store must hold what was sent: active, same size, and the strongest hash it reports equal to the
     * bytes' (its SHA-512 multihash, else its MD5 {@code checksum}, which is then computed here: DESIGN's
     * download rule, applied to the upload). Once the SHA-512 matched, the store's MD5 is of the very bytes
     * sent and is taken as reported (computed here only when the store gives none).
     */
    private StoredImage verify(ImageUpload upload, Sent sent) {
        ImageMetadata stored = metadata(sent.imageId());
        boolean sha512Reported = stored.hashValue().isPresent() && stored.hashAlgo().filter("sha512"::equals).isPresent();
        String problem = !"active".equals(stored.status()) ? "is " + stored.status() + ", not active"
                : stored.size().isEmpty() || stored.size().getAsLong() != sent.size() ? "has size "
                        + stored.size() + ", " + sent.size() + " bytes were sent"
                : sha512Reported && !stored.hashValue().get().equals(sent.sha512())
                        ? "has os_hash_value " + stored.hashValue().get() + ", the bytes sent " + sent.sha512()
                : stored.checksum().isEmpty() && !sha512Reported ? "reports no hash of its bytes"
                : null;
        if (problem != null) {
            throw new ImageUploadException("image " + sent.imageId() + " in " + store + " " + problem);
        }
        if (sha512Reported && stored.checksum().isPresent()) {
            return new StoredImage(sent.imageId(), sent.size(), stored.checksum().get(), sent.sha512());
        }
        String md5 = hashes.md5(upload.file(), sent.size());
        if (stored.checksum().isPresent() && !stored.checksum().get().equals(md5)) {
            throw new ImageUploadException("image " + sent.imageId() + " in " + store + " has checksum "
                    + stored.checksum().get() + ", the bytes sent " + md5);
        }
        return new StoredImage(sent.imageId(), sent.size(), md5, sent.sha512());
    }

    private ImageMetadata metadata(String id) {
        Answer answer = send(id, "read", request("v2/images/" + id, timeout).GET());
        if (answer.status() != 200) {
            throw failure(id, "read", answer.status());
        }
        try {
            return MetadataParser.parse(answer.body(), id);
        } catch (IllegalArgumentException e) {
            throw new ImageUploadException("image store " + store + " returned bad metadata for " + id + ": "
                    + e.getMessage(), e);
        }
    }

    /** Best effort: what cannot be deleted now is named in the log for the operator. */
    private void delete(String id) {
        try {
            Answer answer = send(id, "delete", request("v2/images/" + id, timeout).DELETE());
            if (answer.status() != 204 && answer.status() != 200 && answer.status() != 404) {
                log.warn("could not delete the unfinished image {} from {}: HTTP {}", id, store, answer.status());
            }
        } catch (ImageUploadException e) {
            log.warn("could not delete the unfinished image {} from {}: {}", id, store, e.getMessage());
        }
    }

    private HttpRequest.Builder request(String path, Duration deadline) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(deadline)
                .header("Accept", "application/json");
        token.ifPresent(t -> request.header("X-Auth-Token", t));
        return request;
    }

    private Answer send(String id, String step, HttpRequest.Builder request) {
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                return new Answer(response.statusCode(), body.readNBytes(MAX_JSON_BYTES));
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ImageUploadException(step + " of image " + id + " at " + store + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageUploadException("interrupted during " + step + " of image " + id, e);
        }
    }

    private ImageUploadException failure(String id, String step, int status) {
        boolean retriable = status >= 500 || status == 408 || status == 429;
        return new ImageUploadException("image store " + store + " answered HTTP " + status + " to the " + step
                + " of image " + id, null, retriable);
    }
}

package dev.computeagent.image.store;

import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.ImageDownloadException;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.image.ImageStoreRefusedException;
import dev.computeagent.image.ImageUnsafeException;
import dev.computeagent.image.ImageUpload;
import dev.computeagent.image.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A Glance v2 image API: {@code GET {url}/v2/images/{id}} and {@code GET {url}/v2/images/{id}/file}.
 * 404 is {@link ImageNotFoundException}; 5xx, 408, 429 and connection failures are
 * {@link ImageDownloadException} (the caller retries); any other status, redirects included, is
 * {@link ImageStoreRefusedException}. Redirects are not followed: the token must never travel to
 * another host. Silence longer than {@code stallTimeout},
 * before the headers or inside the body, is a failure too. Metadata with neither {@code size} nor a
 * hash ({@code os_hash_value}, {@code checksum}) is {@link ImageUnsafeException}: a download could not
 * be verified (the image-store contract, docs/architecture.md). Uploads: {@link GlanceUpload}.
 */
public final class GlanceImageStore implements ImageStore {

    private static final int MAX_METADATA_BYTES = 1 << 20;

    private final URI base;
    private final Optional<String> token;
    private final Duration stallTimeout;
    private final HttpClient client;

    public GlanceImageStore(URI url, Optional<String> token, Duration stallTimeout) {
        String text = url.toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.token = token;
        this.stallTimeout = stallTimeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(stallTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public ImageMetadata metadata(String imageId) {
        HttpResponse<InputStream> response = send(imageId, "v2/images/" + imageId);
        ImageMetadata metadata;
        try (InputStream body = response.body()) {
            byte[] json = body.readNBytes(MAX_METADATA_BYTES);
            metadata = MetadataParser.parse(json, imageId);
        } catch (IOException e) {
            throw new ImageDownloadException("reading metadata of image " + imageId + " failed: " + e, e);
        } catch (IllegalArgumentException e) {
            // a store that answers garbage is broken, which may pass: retriable
            throw new ImageDownloadException("image store returned bad metadata for " + imageId + ": "
                    + e.getMessage(), e);
        }
        if (metadata.size().isEmpty() && metadata.hashValue().isEmpty() && metadata.checksum().isEmpty()) {
            // the image-store contract: what Glance serves is verified against its size and hash; with neither there is
            // nothing to verify the bytes against, so they are not trusted
            throw new ImageUnsafeException("image store " + describe() + " gives neither size nor hash (os_hash_value, "
                    + "checksum) for image " + imageId + ": its bytes cannot be verified");
        }
        return metadata;
    }

    @Override
    public InputStream open(String imageId) {
        return send(imageId, "v2/images/" + imageId + "/file").body();
    }

    @Override
    public StoredImage upload(ImageUpload upload) {
        return new GlanceUpload(client, base, token, stallTimeout, describe(), new FileHashes(new ProcessRunner()))
                .upload(upload);
    }

    @Override
    public String describe() {
        return "glance " + base.getScheme() + "://" + base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort());
    }

    private HttpResponse<InputStream> send(String imageId, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(stallTimeout)
                .header("Accept", path.endsWith("/file") ? "application/octet-stream" : "application/json")
                .GET();
        token.ifPresent(t -> request.header("X-Auth-Token", t));
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), info -> new StallGuardedInputStream(stallTimeout));
        } catch (IOException e) {
            throw new ImageDownloadException("request for image " + imageId + " to " + describe() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageDownloadException("interrupted while requesting image " + imageId, e);
        }
        int status = response.statusCode();
        if (status == 200) {
            return response;
        }
        closeQuietly(response.body());
        if (status == 404) {
            throw new ImageNotFoundException("image " + imageId + " not found in " + describe());
        }
        if (status < 500 && status != 408 && status != 429) {
            throw new ImageStoreRefusedException("image store " + describe() + " refused the request for image "
                    + imageId + " with HTTP " + status);
        }
        throw new ImageDownloadException("image store " + describe() + " answered HTTP " + status + " for image "
                + imageId);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to save: the response is discarded
        }
    }
}

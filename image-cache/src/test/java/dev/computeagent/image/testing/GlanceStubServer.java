package dev.computeagent.image.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real HTTP server (JDK {@link HttpServer} on 127.0.0.1, ephemeral port) speaking the part of the
 * Glance v2 API the image cache uses: {@code GET /v2/images/{id}} (JSON metadata) and
 * {@code GET /v2/images/{id}/file} (the bytes), and the part a snapshot uses: {@code POST /v2/images}
 * (a queued image with the id, name, formats and properties given; 409 for a known id),
 * {@code PUT /v2/images/{id}/file} (stored in a file of the stub's own, then active with size, MD5
 * {@code checksum} and SHA-512 {@code os_hash_value} computed from the bytes received, as Glance does) and
 * {@code DELETE /v2/images/{id}}; an uploaded image is served like any other. It counts requests per image and can misbehave on
 * purpose: fail the next downloads with an HTTP status, drop the connection mid-body, stall, drip,
 * or hold downloads until released.
 *
 * <pre>{@code
 * try (GlanceStubServer glance = GlanceStubServer.start()) {
 *     glance.addImage("cirros", imageFile).diskFormat("qcow2");
 *     ImageCache cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, glance.url()));
 *     ...
 *     assertThat(glance.downloads("cirros")).isEqualTo(1);
 * }
 * }</pre>
 *
 * <p>Metadata is derived from the bytes (size, MD5 {@code checksum}, SHA-512 multihash,
 * {@code disk_format raw}, {@code status active}) and each field can be overridden. Thread-safe.
 */
public final class GlanceStubServer implements AutoCloseable {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final String PREFIX = "/v2/images/";

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, StubImage> images = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Optional<String> requiredToken = Optional.empty();
    private final Path uploads;
    private final AtomicInteger uploadFailuresLeft = new AtomicInteger();
    private final AtomicBoolean corruptNextUpload = new AtomicBoolean();
    private volatile boolean uploadsWithoutMultihash;
    private volatile int uploadFailureStatus = 500;
    private final AtomicInteger deletions = new AtomicInteger();

    private GlanceStubServer(HttpServer server, ExecutorService executor) throws IOException {
        this.server = server;
        this.executor = executor;
        this.uploads = Files.createTempDirectory("glance-stub-uploads");
    }

    /** Starts a server on 127.0.0.1 with an ephemeral port. */
    public static GlanceStubServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "glance-stub");
                t.setDaemon(true);
                return t;
            });
            GlanceStubServer stub = new GlanceStubServer(server, executor);
            server.setExecutor(executor);
            server.createContext("/", stub::handle);
            server.start();
            return stub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The store URL to configure ({@code http://127.0.0.1:<port>}). */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Serves {@code content} as image {@code id}; returns its settings for overrides. */
    public StubImage addImage(String id, byte[] content) {
        StubImage image = new StubImage(id, content, null);
        images.put(id, image);
        return image;
    }

    /** Serves the file as image {@code id} (streamed on each download; hashed once now). */
    public StubImage addImage(String id, Path file) {
        StubImage image = new StubImage(id, null, file);
        images.put(id, image);
        return image;
    }

    /** From now on, every request must carry {@code X-Auth-Token: token}, else 401. */
    public GlanceStubServer requireToken(String token) {
        this.requiredToken = Optional.of(token);
        return this;
    }

    /** Download requests ({@code GET …/file}) received for {@code id}, whatever their outcome. */
    public int downloads(String id) {
        StubImage image = images.get(id);
        return image == null ? 0 : image.downloads.get();
    }

    /** Metadata requests received for {@code id}, whatever their outcome. */
    public int metadataRequests(String id) {
        StubImage image = images.get(id);
        return image == null ? 0 : image.metadataRequests.get();
    }

    /**
     * The next {@code count} uploads ({@code PUT …/file}) read the whole body, then answer HTTP
     * {@code status} (e.g. 500) and keep the image queued, as a store failing while it saves does.
     */
    public GlanceStubServer failNextUploads(int count, int status) {
        this.uploadFailureStatus = status;
        this.uploadFailuresLeft.set(count);
        return this;
    }

    /** Uploaded images report no multihash (an older Glance): only their MD5 {@code checksum} verifies them. */
    public GlanceStubServer uploadsWithoutMultihash() {
        this.uploadsWithoutMultihash = true;
        return this;
    }

    /** The next upload is stored with its first byte changed, as a store corrupting what it saves would. */
    public GlanceStubServer corruptNextUpload() {
        this.corruptNextUpload.set(true);
        return this;
    }

    /** Whether the store has image {@code id}, whatever its status. */
    public boolean hasImage(String id) {
        return images.containsKey(id);
    }

    /** The metadata the store serves for {@code id} now, as JSON. */
    public String metadata(String id) {
        StubImage image = images.get(id);
        if (image == null) {
            throw new IllegalArgumentException("no image " + id);
        }
        return new String(image.metadataJson(), StandardCharsets.UTF_8);
    }

    /** {@code DELETE} requests received, whatever their outcome. */
    public int deletions() {
        return deletions.get();
    }

    /** Stops the server and releases every stalled or held download. */
    @Override
    public void close() {
        closed.countDown();
        images.values().forEach(i -> i.gate.countDown());
        server.stop(0);
        executor.shutdownNow();
        try (var files = Files.list(uploads)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(uploads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && requiredToken.isPresent()
                    && !requiredToken.get().equals(exchange.getRequestHeaders().getFirst("X-Auth-Token"))) {
                send(exchange, 401, "text/plain", "unauthorized".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if ("POST".equals(method) && path.equals("/v2/images")) {
                create(exchange);
                return;
            }
            if ("PUT".equals(method) && path.startsWith(PREFIX) && path.endsWith("/file")) {
                receive(exchange, path.substring(PREFIX.length(), path.length() - "/file".length()));
                return;
            }
            if ("DELETE".equals(method) && path.startsWith(PREFIX)) {
                deletions.incrementAndGet();
                boolean removed = images.remove(path.substring(PREFIX.length())) != null;
                send(exchange, removed ? 204 : 404, "text/plain", new byte[0]);
                return;
            }
            if (!"GET".equals(method) || !path.startsWith(PREFIX)) {
                send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String rest = path.substring(PREFIX.length());
            boolean file = rest.endsWith("/file");
            StubImage image = images.get(file ? rest.substring(0, rest.length() - "/file".length()) : rest);
            if (image != null) {
                (file ? image.downloads : image.metadataRequests).incrementAndGet();
            }
            if (requiredToken.isPresent()
                    && !requiredToken.get().equals(exchange.getRequestHeaders().getFirst("X-Auth-Token"))) {
                send(exchange, 401, "text/plain", "unauthorized".getBytes(StandardCharsets.UTF_8));
            } else if (image == null) {
                send(exchange, 404, "text/plain", "no such image".getBytes(StandardCharsets.UTF_8));
            } else if (file) {
                image.serveFile(exchange);
            } else {
                send(exchange, 200, "application/json", image.metadataJson());
            }
        }
    }

    private void create(HttpExchange exchange) throws IOException {
        ObjectNode body = (ObjectNode) MAPPER.readTree(exchange.getRequestBody().readAllBytes());
        String id = body.path("id").asString("");
        if (id.isEmpty()) {
            send(exchange, 400, "text/plain", "id required".getBytes(StandardCharsets.UTF_8));
            return;
        }
        StubImage queued = new StubImage(id, new byte[0], null);
        queued.metadata.setAll(body);
        queued.metadata.put("status", "queued");
        queued.metadata.putNull("size");
        queued.metadata.putNull("checksum");
        queued.metadata.putNull("os_hash_algo");
        queued.metadata.putNull("os_hash_value");
        if (images.putIfAbsent(id, queued) != null) {
            send(exchange, 409, "text/plain", "conflict".getBytes(StandardCharsets.UTF_8));
            return;
        }
        send(exchange, 201, "application/json", queued.metadataJson());
    }

    private void receive(HttpExchange exchange, String id) throws IOException {
        StubImage queued = images.get(id);
        if (queued == null) {
            send(exchange, 404, "text/plain", "no such image".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Path file = uploads.resolve(id);
        try (InputStream in = exchange.getRequestBody()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        if (uploadFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            Files.delete(file);
            send(exchange, uploadFailureStatus, "text/plain", new byte[0]);
            return;
        }
        if (corruptNextUpload.getAndSet(false)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer first = ByteBuffer.allocate(1);
                channel.read(first, 0);
                first.put(0, (byte) (first.get(0) ^ 0xff)).rewind();
                channel.write(first, 0);
            }
        }
        StubImage active = new StubImage(id, null, file);
        if (uploadsWithoutMultihash) {
            active.withoutMultihash();
        }
        queued.metadata.properties().forEach(field -> {
            if (!active.metadata.has(field.getKey()) || field.getKey().equals("disk_format")
                    || field.getKey().equals("name") || field.getKey().equals("container_format")) {
                active.metadata.set(field.getKey(), field.getValue());
            }
        });
        active.metadata.put("status", "active");
        images.put(id, active);
        send(exchange, 204, "text/plain", new byte[0]);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    /** One served image: its bytes, its metadata (overridable) and its failure modes. */
    public final class StubImage {
        private final String id;
        private final byte[] content;
        private final Path file;
        private final long length;
        private final AtomicInteger downloads = new AtomicInteger();
        private final AtomicInteger metadataRequests = new AtomicInteger();
        private final AtomicInteger failuresLeft = new AtomicInteger();
        private volatile int failureStatus = 500;
        private volatile long truncateAfter = -1;
        private volatile long stallAfter = -1;
        private volatile CountDownLatch gate = new CountDownLatch(0);
        private volatile int trickleChunk;
        private volatile Duration trickleInterval = Duration.ZERO;
        private final ObjectNode metadata;
        private final String sha512;

        private StubImage(String id, byte[] content, Path file) {
            this.id = id;
            this.content = content;
            this.file = file;
            try {
                this.length = content != null ? content.length : Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            metadata = MAPPER.createObjectNode();
            metadata.put("id", id);
            metadata.put("name", id);
            metadata.put("status", "active");
            metadata.put("disk_format", "raw");
            metadata.put("container_format", "bare");
            metadata.put("size", length);
            metadata.put("checksum", digest("MD5"));
            metadata.put("os_hash_algo", "sha512");
            sha512 = digest("SHA-512");
            metadata.put("os_hash_value", sha512);
            metadata.putNull("virtual_size");
        }

        /** Sets {@code disk_format} (default {@code raw}). */
        public StubImage diskFormat(String diskFormat) {
            metadata.put("disk_format", diskFormat);
            return this;
        }

        /** Sets {@code container_format} (default {@code bare}). */
        public StubImage containerFormat(String containerFormat) {
            metadata.put("container_format", containerFormat);
            return this;
        }

        /** Sets {@code status} (default {@code active}). */
        public StubImage status(String status) {
            metadata.put("status", status);
            return this;
        }

        /** Sets {@code virtual_size} (default null). */
        public StubImage virtualSize(long virtualSize) {
            metadata.put("virtual_size", virtualSize);
            return this;
        }

        /** Sets {@code size} (default: the real byte count). */
        public StubImage size(long size) {
            metadata.put("size", size);
            return this;
        }

        /** Sets the multihash {@code os_hash_value} (e.g. a wrong one), keeping {@code os_hash_algo}. */
        public StubImage osHashValue(String hex) {
            metadata.put("os_hash_value", hex);
            return this;
        }

        /** Removes the multihash, so only the MD5 {@code checksum} can verify the bytes. */
        public StubImage withoutMultihash() {
            metadata.putNull("os_hash_algo");
            metadata.putNull("os_hash_value");
            return this;
        }

        /** Sets an additional image property, e.g. {@code hw_qemu_guest_agent=yes} (Glance v2: a top-level string). */
        public StubImage property(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        /** Answers {@code size: null}, as for an image whose size the store does not know. */
        public StubImage withoutSize() {
            metadata.putNull("size");
            return this;
        }

        /** Answers {@code checksum: null}. */
        public StubImage withoutChecksum() {
            metadata.putNull("checksum");
            return this;
        }

        /** Sets the MD5 {@code checksum}. */
        public StubImage checksum(String md5Hex) {
            metadata.put("checksum", md5Hex);
            return this;
        }

        /** The next {@code count} downloads answer HTTP {@code status} (e.g. 500, 503) with no body. */
        public StubImage failNextDownloads(int count, int status) {
            this.failureStatus = status;
            this.failuresLeft.set(count);
            return this;
        }

        /** Every download announces the full length, sends {@code bytes}, then drops the connection. */
        public StubImage truncateAfter(long bytes) {
            this.truncateAfter = bytes;
            return this;
        }

        /** Every download sends {@code bytes}, then goes silent until the server closes. */
        public StubImage stallAfter(long bytes) {
            this.stallAfter = bytes;
            return this;
        }

        /**
         * Every download sends {@code chunk} bytes, then pauses {@code interval}, and so on: a slow but
         * live server (each pause shorter than a client's stall timeout, the whole longer), or with one
         * byte at a time a store that drips its image for ever. {@code chunk} 0 serves at full speed again.
         */
        public StubImage trickle(int chunk, Duration interval) {
            this.trickleChunk = chunk;
            this.trickleInterval = interval;
            return this;
        }

        /** Downloads wait, before any byte, until {@link #releaseDownloads()} (or close). */
        public StubImage holdDownloads() {
            this.gate = new CountDownLatch(1);
            return this;
        }

        /** Lets held downloads proceed. */
        public StubImage releaseDownloads() {
            gate.countDown();
            return this;
        }

        /** The SHA-512 of the served bytes, hex. */
        public String sha512() {
            return sha512;
        }

        private byte[] metadataJson() {
            return MAPPER.writeValueAsBytes(metadata);
        }

        private void serveFile(HttpExchange exchange) throws IOException {
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                send(exchange, failureStatus, "text/plain", new byte[0]);
                return;
            }
            awaitQuietly(gate);
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, length);
            OutputStream out = exchange.getResponseBody();
            long limit = truncateAfter >= 0 ? truncateAfter : stallAfter >= 0 ? stallAfter : length;
            try (InputStream in = open()) {
                if (trickleChunk > 0) {
                    sendPaced(in, out, trickleChunk, trickleInterval);
                } else {
                    copy(in, out, Math.min(limit, length));
                }
            }
            out.flush();
            if (stallAfter >= 0) {
                awaitQuietly(closed);
            }
            // with truncateAfter, closing the exchange short of the announced length drops the connection
        }

        private InputStream open() throws IOException {
            return content != null ? new ByteArrayInputStream(content) : Files.newInputStream(file);
        }

        private String digest(String algorithm) {
            try (InputStream in = open()) {
                MessageDigest md = MessageDigest.getInstance(algorithm);
                byte[] buffer = new byte[1 << 20];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    md.update(buffer, 0, n);
                }
                return HexFormat.of().formatHex(md.digest());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return "StubImage[" + id + ", " + length + " bytes]";
        }
    }

    private static void copy(InputStream in, OutputStream out, long count) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long left = count;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private void sendPaced(InputStream in, OutputStream out, int chunk, Duration interval) throws IOException {
        byte[] buffer = new byte[chunk];
        int n;
        while ((n = in.readNBytes(buffer, 0, chunk)) > 0) {
            out.write(buffer, 0, n);
            out.flush();
            try {
                // the server's own pacing, not a test waiting for a state
                if (closed.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

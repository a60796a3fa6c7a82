package dev.computeagent.agent.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The two endpoints of a Kubernetes API server that the chart's {@code lookup} calls when helm-java
 * renders it (helm-java's template is a server-side dry run): discovery of the core group
 * ({@code GET /api/v1}) and {@code GET /api/v1/namespaces/<ns>/secrets/<name>}, answering the Secrets
 * a test put here and 404 for the others. Reached through the kubeconfig file that the Maven build
 * points {@code KUBECONFIG} at; so no render ever reaches a real cluster.
 */
final class FakeKubernetesApi {

    private static final FakeKubernetesApi INSTANCE = new FakeKubernetesApi();

    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final HttpServer server;

    private FakeKubernetesApi() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        server.setExecutor(null);
        server.start();
        writeKubeconfig();
    }

    /** The server, its kubeconfig written to {@code $KUBECONFIG}. */
    static FakeKubernetesApi get() {
        return INSTANCE;
    }

    /** From now on the cluster has Secret {@code namespace/name} with {@code data} (plain values). */
    void putSecret(String namespace, String name, Map<String, String> data) {
        String encoded = data.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + Base64.getEncoder().encodeToString(
                        e.getValue().getBytes(StandardCharsets.UTF_8)) + "\"")
                .collect(Collectors.joining(",", "{", "}"));
        secrets.put(namespace + "/" + name, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\""
                + name + "\",\"namespace\":\"" + namespace + "\"},\"type\":\"Opaque\",\"data\":" + encoded + "}");
    }

    void removeSecret(String namespace, String name) {
        secrets.remove(namespace + "/" + name);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String[] parts = path.split("/");
        if (path.equals("/api/v1")) {
            send(exchange, 200, "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"v1\","
                    + "\"resources\":[{\"name\":\"secrets\",\"singularName\":\"secret\",\"namespaced\":true,"
                    + "\"kind\":\"Secret\",\"verbs\":[\"get\",\"list\"]}]}");
        } else if (parts.length == 7 && path.startsWith("/api/v1/namespaces/") && parts[5].equals("secrets")
                && secrets.containsKey(parts[4] + "/" + parts[6])) {
            send(exchange, 200, secrets.get(parts[4] + "/" + parts[6]));
        } else {
            send(exchange, 404, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"reason\":\"NotFound\",\"code\":404}");
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private void writeKubeconfig() {
        String file = System.getenv("KUBECONFIG");
        if (file == null || file.isBlank()) {
            throw new IllegalStateException("KUBECONFIG is not set: the Maven build points it at target/");
        }
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        try {
            Files.writeString(Path.of(file), """
                    apiVersion: v1
                    kind: Config
                    clusters:
                      - name: fake
                        cluster: {server: "%s"}
                    users:
                      - name: fake
                        user: {token: fake}
                    contexts:
                      - name: fake
                        context: {cluster: fake, user: fake}
                    current-context: fake
                    """.formatted(url));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

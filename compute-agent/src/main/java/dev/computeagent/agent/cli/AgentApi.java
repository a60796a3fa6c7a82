package dev.computeagent.agent.cli;

import dev.computeagent.agent.message.AgentJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * An agent's read-only REST API (docs/architecture.md, "Contracts"). The base URL is {@code --api}, else
 * {@code COMPUTE_AGENT_API}, else {@code http://<--host or 127.0.0.1>:<SERVER_PORT or 8080>}.
 */
final class AgentApi {

    /** A 404 from the API: the tool reports it and exits with 1. */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    AgentApi(URI base) {
        this.base = base;
    }

    static AgentApi resolve(@Nullable String apiOption, @Nullable String host, Map<String, String> env) {
        String url = apiOption != null ? apiOption : env.get("COMPUTE_AGENT_API");
        if (url == null || url.isBlank()) {
            url = "http://" + (host == null ? "127.0.0.1" : host) + ":" + env.getOrDefault("SERVER_PORT", "8080");
        }
        try {
            URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException();
            }
            return new AgentApi(uri);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--api must be http(s)://host:port: " + url);
        }
    }

    JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("Accept", "application/json").GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CtlFailure("cannot reach the agent API at " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlFailure("interrupted");
        }
        JsonNode body;
        try {
            body = AgentJson.mapper().readTree(response.body());
        } catch (JacksonException e) {
            throw new CtlFailure("GET " + base + path + " answered " + response.statusCode() + " without JSON");
        }
        if (response.statusCode() == 404) {
            throw new NotFound(body.path("detail").asString("not found: " + path));
        }
        if (response.statusCode() / 100 != 2) {
            throw new CtlFailure("GET " + base + path + " answered " + response.statusCode() + ": "
                    + body.path("detail").asString(body.toString()));
        }
        return body;
    }
}

package dev.computeagent.agent.web.support;

import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeNetworkDriver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import dev.computeagent.image.CacheStatistics;
import org.junit.jupiter.api.BeforeEach;
import dev.computeagent.agent.state.MigrationProgressBoard;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of the tests that talk HTTP to {@link AgentWebTestApplication} on a real port. One context
 * for all of them (same properties, so Spring caches it). The broker is deliberately unreachable
 * (port 1), and credentials are set to recognisable values so tests can prove they never leak.
 */
@SpringBootTest(classes = AgentWebTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "agent.host=web-test-host",
                "agent.state-dir=target/agent-web-state",
                "agent.libvirt.uri=qemu:///system",
                "agent.image-store.url=http://glance.invalid:9292",
                "agent.image-store.token=" + AgentWebContextTest.IMAGE_STORE_TOKEN,
                "agent.internal-auth.key=" + AgentWebContextTest.INTERNAL_KEY,
                "spring.rabbitmq.host=127.0.0.1",
                "spring.rabbitmq.port=1",
                "spring.rabbitmq.username=agent-user",
                "spring.rabbitmq.password=" + AgentWebContextTest.BROKER_PASSWORD,
                "spring.rabbitmq.connection-timeout=1s"})
public abstract class AgentWebContextTest {

    public static final String IMAGE_STORE_TOKEN = "tok-SECRET-3c9d0e7a";
    public static final String BROKER_PASSWORD = "pw-SECRET-51b2f4aa";
    public static final String INTERNAL_KEY = "key-SECRET-7d1c2b3a4e5f60718293a4b5c6d7e8f9";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    protected int port;

    @Autowired
    protected FakeComputeDriver driver;

    @Autowired
    protected StubImageCache imageCache;

    @Autowired
    protected FakeNetworkDriver networks;

    @Autowired
    protected StubInstanceViews instanceViews;

    @Autowired
    protected MigrationProgressBoard migrations;

    @Autowired
    protected JsonMapper jsonMapper;

    @BeforeEach
    void resetCollaborators() {
        driver.setConnected(true);
        imageCache.failListing(null);
        imageCache.setImages(List.of());
        imageCache.setStatistics(new CacheStatistics(0, 0, 0, 0, 0, 0, Map.of()));
        instanceViews.fail(null);
        instanceViews.setInstances(List.of());
    }

    protected HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    protected HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    protected JsonNode json(HttpResponse<String> response) {
        return jsonMapper.readTree(response.body());
    }

    protected static String contentType(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }
}

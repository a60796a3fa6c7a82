package dev.computeagent.agent.asyncapi;

import static dev.computeagent.agent.asyncapi.AsyncApiDocument.messagePayload;
import static dev.computeagent.agent.asyncapi.AsyncApiDocument.schema;
import static dev.computeagent.agent.asyncapi.AsyncApiDocument.validateJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.ComputeAgentApplication;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.status.HostStatus;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.virt.testing.Prerequisites;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;
import tools.jackson.databind.JsonNode;

/**
 * The real application (the libvirt driver on libvirt's test hypervisor, real RabbitMQ, a directory
 * image store):
 * what it actually publishes and serves matches the AsyncAPI document and the REST contract (docs/architecture.md, "Contracts") - the
 * heartbeat, a command's events and reply, a rejection - and its endpoints are up, ready, and show
 * no credential. No instance is created.
 */
class RunningAgentMatchesContractLibvirtRabbitMqTest {

    private static final String TOKEN = "tok-SECRET-e2a9";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * libvirt's own in-process test driver: the real libvirt library and the real JNA driver, but
     * a private hypervisor. A full agent on qemu:///system would reconcile every agent-owned domain
     * of the host, including those of other tests running at the same time.
     */
    private static final String LIBVIRT_URI = "test:///default";
    private static final String HOST = "it-web-" + UUID.randomUUID().toString().substring(0, 8);
    private static Path stateDir;
    private static AmqpTestClient amqp;
    private static ConfigurableApplicationContext agent;
    private static int port;

    @BeforeAll
    static void startAgent() throws Exception {
        Prerequisites.requireLibvirt(LIBVIRT_URI);
        amqp = AmqpTestClient.connect(HOST);
        stateDir = Files.createTempDirectory("agent-web-it");
        Files.createDirectories(stateDir.resolve("images"));
        // Command-line arguments: they win over application.yml (server.port).
        agent = new SpringApplicationBuilder(ComputeAgentApplication.class)
                .initializers(context -> context.getBeanFactory()
                        .registerSingleton("mainClassesOnly", new TestClassesExcluded()))
                .run("--agent.host=" + HOST,
                        "--agent.libvirt.uri=" + LIBVIRT_URI,
                        "--agent.state-dir=" + stateDir.resolve("state"),
                        "--agent.image-store.url=" + stateDir.resolve("images").toUri(),
                        "--agent.image-store.token=" + TOKEN,
                        "--agent.heartbeat-interval=1s",
                        "--spring.rabbitmq.host=" + AmqpTestClient.BROKER_HOST,
                        "--spring.rabbitmq.port=" + AmqpTestClient.BROKER_PORT,
                        "--server.port=0");
        port = agent.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (amqp != null) {
            amqp.deleteQueues();
            amqp.close();
        }
    }

    @Test
    void heartbeatConformsAndCarriesTheSameFieldsAsRestStatus() {
        AmqpTestClient.Received heartbeat = await().atMost(Duration.ofSeconds(20))
                .until(() -> amqp.events(e -> e.path("event").asString("").equals("host.status")),
                        list -> !list.isEmpty()).get(0);
        String status = get("/v1/status").body();

        assertThat(validateJson(messagePayload("hostStatus"), text(heartbeat))).isEmpty();
        assertThat(validateJson(schema("HostStatus"), status)).isEmpty();
        JsonNode rest = heartbeat.json().get("payload");
        assertThat(names(rest)).isEqualTo(names(AgentJson.mapper().readTree(status)));
        assertThat(rest.get("host").asString()).isEqualTo(HOST);
        assertThat(rest.get("hypervisor").get("connected").asBoolean()).isTrue();
    }

    @Test
    void commandEventsReplyAndRejectionConform() throws IOException {
        String requestId = "req-" + UUID.randomUUID();
        amqp.command(AmqpTestClient.envelope("delete", requestId, UUID.randomUUID().toString(), "{}"), "corr-1");
        AmqpTestClient.Received reply = amqp.awaitReply("corr-1", Duration.ofSeconds(30));
        amqp.command("this is not json", "corr-2");
        AmqpTestClient.Received rejected = amqp.awaitReply("corr-2", Duration.ofSeconds(30));

        assertThat(amqp.eventNames(requestId)).containsExactly("instance.delete.start", "instance.delete.end");
        for (AmqpTestClient.Received event : amqp.events(e -> e.path("request_id").asString("").equals(requestId))) {
            String message = event.routingKey().endsWith(".start") ? "instanceActionStart" : "instanceActionEnd";
            assertThat(validateJson(messagePayload(message), text(event))).as(event.routingKey()).isEmpty();
        }
        assertThat(validateJson(messagePayload("instanceActionEnd"), text(reply))).isEmpty();
        assertThat(rejected.json().get("event").asString()).isEqualTo("command.rejected");
        assertThat(validateJson(messagePayload("commandRejected"), text(rejected))).isEmpty();
    }

    @Test
    void endpointsAreReadyAndShowNoCredential() {
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/actuator/health/readiness").statusCode() == 200);

        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(get("/v1/instances").body()).startsWith("[");
        assertThat(get("/v1/images").body()).startsWith("[");
        assertThat(get("/actuator/prometheus").body()).contains("agent_instances{").contains("agent_image_cache_images");
        assertThat(get("/actuator/env").statusCode()).isEqualTo(404);
        for (String path : List.of("/v1/status", "/actuator/health", "/actuator/info", "/actuator/prometheus")) {
            assertThat(get(path).body()).as(path).doesNotContain(TOKEN).doesNotContain("guest@");
        }
    }

    /**
     * Keeps the application's component scan to the main classes, as in production: the test
     * classpath holds other tests' Spring configurations (fake drivers, stubs).
     */
    static final class TestClassesExcluded extends TypeExcludeFilter {

        @Override
        public boolean match(MetadataReader reader, MetadataReaderFactory factory) throws IOException {
            return reader.getResource().getURI().toString().contains("/test-classes/");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof TestClassesExcluded;
        }

        @Override
        public int hashCode() {
            return TestClassesExcluded.class.hashCode();
        }
    }

    private static HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String text(AmqpTestClient.Received message) {
        return new String(message.body(), StandardCharsets.UTF_8);
    }

    private static Set<String> names(JsonNode node) {
        return new HashSet<>(node.propertyNames());
    }
}

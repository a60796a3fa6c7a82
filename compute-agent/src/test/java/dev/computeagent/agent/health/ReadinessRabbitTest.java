package dev.computeagent.agent.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.status.HostStatusService;
import dev.computeagent.agent.web.support.AgentWebTestApplication;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.testing.Prerequisites;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Readiness against a real RabbitMQ (127.0.0.1:5672 unless RABBITMQ_HOST/RABBITMQ_PORT say
 * otherwise): ready when libvirt and the broker are both connected, not ready as soon as libvirt
 * is not; the status API sees the broker connection.
 */
@SpringBootTest(classes = AgentWebTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "agent.host=web-rabbit-test",
                "agent.state-dir=target/agent-web-state",
                "spring.rabbitmq.host=${RABBITMQ_HOST:127.0.0.1}",
                "spring.rabbitmq.port=${RABBITMQ_PORT:5672}",
                "spring.rabbitmq.username=${RABBITMQ_USER:guest}",
                "spring.rabbitmq.password=${RABBITMQ_PASSWORD:guest}"})
class ReadinessRabbitTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    FakeComputeDriver driver;

    @Autowired
    HostStatusService status;

    @Autowired
    JsonMapper jsonMapper;

    @BeforeAll
    static void requireBroker() {
        String host = System.getenv().getOrDefault("RABBITMQ_HOST", "127.0.0.1");
        int port = Integer.parseInt(System.getenv().getOrDefault("RABBITMQ_PORT", "5672"));
        Prerequisites.requireTcp("RabbitMQ", host, port, "apt-get install rabbitmq-server (guest/guest)");
    }

    @AfterEach
    void reconnect() {
        driver.setConnected(true);
    }

    @Test
    void readyWhenLibvirtAndBrokerAreConnectedAndStatusSeesTheBroker() {
        HttpResponse<String> response = get("/actuator/health/readiness");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(jsonMapper.readTree(response.body()).get("status").asString()).isEqualTo("UP");
        await().atMost(Duration.ofSeconds(10)).until(() -> status.current().broker().connected());
    }

    @Test
    void notReadyWhileLibvirtIsDisconnectedEvenWithTheBrokerUp() {
        driver.setConnected(false);

        HttpResponse<String> response = get("/actuator/health/readiness");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode components = jsonMapper.readTree(response.body()).get("components");
        assertThat(components.get("rabbit").get("status").asString()).isEqualTo("UP");
        assertThat(components.get("libvirt").get("status").asString()).isEqualTo("DOWN");
    }

    private HttpResponse<String> get(String path) {
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
}

package dev.computeagent.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.web.support.AgentWebContextTest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What the actuator shows, with the broker down (port 1) and credentials configured: only health,
 * info and prometheus are reachable, liveness is the process alone, readiness needs libvirt and the
 * broker, health shows statuses without details (no path of the host), and no endpoint reveals the
 * image-store token, the broker password or the agent-to-agent key.
 */
class ActuatorExposureTest extends AgentWebContextTest {

    private static final List<String> READABLE = List.of("/v1/status", "/v1/instances", "/v1/images",
            "/v1/instances/8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a", "/actuator", "/actuator/health",
            "/actuator/health/liveness", "/actuator/health/readiness", "/actuator/info", "/actuator/prometheus",
            "/error", "/v1/nowhere");

    @Test
    void onlyHealthInfoAndPrometheusAreExposed() {
        JsonNode links = json(get("/actuator")).get("_links");

        List<String> names = StreamSupport.stream(links.propertyNames().spliterator(), false).toList();
        assertThat(names).allMatch(name -> name.equals("self") || name.startsWith("health")
                || name.equals("info") || name.equals("prometheus"));
        assertThat(names).contains("health", "info", "prometheus");
    }

    @Test
    void endpointsThatCouldRevealConfigurationAreNotReachable() {
        for (String path : List.of("/actuator/env", "/actuator/env/agent.image-store.token", "/actuator/configprops",
                "/actuator/beans", "/actuator/heapdump", "/actuator/threaddump", "/actuator/loggers",
                "/actuator/mappings", "/actuator/metrics", "/actuator/shutdown", "/actuator/conditions")) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(404);
        }
    }

    @Test
    void noEndpointRevealsTheImageStoreTokenOrTheBrokerPassword() {
        for (String path : READABLE) {
            HttpResponse<String> response = get(path);
            assertThat(response.body()).as(path).doesNotContain(IMAGE_STORE_TOKEN).doesNotContain(BROKER_PASSWORD)
                    .doesNotContain(INTERNAL_KEY);
            assertThat(response.headers().map().toString()).as(path)
                    .doesNotContain(IMAGE_STORE_TOKEN).doesNotContain(BROKER_PASSWORD);
        }
    }

    @Test
    void livenessIsUpWhileBrokerAndHypervisorAreDown() {
        driver.setConnected(false);

        HttpResponse<String> response = get("/actuator/health/liveness");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("status").asString()).isEqualTo("UP");
    }

    @Test
    void readinessIsDownWithTheBrokerDownAndShowsWhichComponent() {
        HttpResponse<String> response = get("/actuator/health/readiness");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = json(response);
        assertThat(body.get("status").asString()).isEqualTo("DOWN");
        assertThat(body.get("components").get("rabbit").get("status").asString()).isEqualTo("DOWN");
        assertThat(body.get("components").get("libvirt").get("status").asString()).isEqualTo("UP");
    }

    @Test
    void libvirtComponentFollowsTheDriverConnection() {
        assertThat(json(get("/actuator/health")).get("components").get("libvirt").get("status").asString())
                .isEqualTo("UP");

        driver.setConnected(false);

        JsonNode libvirt = json(get("/actuator/health/readiness")).get("components").get("libvirt");
        assertThat(libvirt.get("status").asString()).isEqualTo("DOWN");
    }

    @Test
    void healthShowsNoDetailsToAnonymousCallersSoNoPathOfTheHost() {
        for (String path : List.of("/actuator/health", "/actuator/health/readiness", "/actuator/health/liveness")) {
            String body = get(path).body();
            assertThat(body).as(path).contains("\"status\"").doesNotContain("\"details\"")
                    .doesNotContain(Path.of("").toAbsolutePath().toString())
                    .doesNotContain("qemu:///system");
        }
        assertThat(json(get("/actuator/health")).get("components").has("diskSpace"))
                .as("the disk-space component still reports its status").isTrue();
    }
}

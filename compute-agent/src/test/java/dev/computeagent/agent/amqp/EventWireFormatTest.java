package dev.computeagent.agent.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The event body as the AsyncAPI contract shows it: snake_case, ISO timestamp, explicit nulls. */
class EventWireFormatTest {

    @Test
    void anEventSerialisesToTheContractShape() {
        EventMessage event = new EventMessage(1, "instance.spawn.end", "node-7",
                Instant.parse("2026-11-22T10:00:01.234Z"), "req-6f0d2c1e", "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a",
                Map.of("state", "ACTIVE", "power_state", "RUNNING"), null);
        JsonNode json = AgentJson.mapper().valueToTree(event);
        assertThat(json.path("version").asInt()).isEqualTo(1);
        assertThat(json.path("timestamp").asString()).isEqualTo("2026-11-22T10:00:01.234Z");
        assertThat(json.path("request_id").asString()).isEqualTo("req-6f0d2c1e");
        assertThat(json.path("instance_uuid").asString()).isEqualTo("8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");
        assertThat(json.has("error")).isTrue();
        assertThat(json.path("error").isNull()).isTrue();
        assertThat(json.path("payload").path("state").asString()).isEqualTo("ACTIVE");
    }

    @Test
    void anErrorCarriesCodeMessageAndRetriable() {
        EventMessage event = new EventMessage(1, "instance.spawn.error", "h", Instant.now(), null, null, null,
                new ErrorBody(ErrorCode.IMAGE_UNSAFE, "backing file", false));
        JsonNode json = AgentJson.mapper().valueToTree(event);
        assertThat(json.path("error").path("code").asString()).isEqualTo("IMAGE_UNSAFE");
        assertThat(json.path("error").path("retriable").isBoolean()).isTrue();
        assertThat(json.path("request_id").isNull()).isTrue();
        assertThat(json.path("payload").isObject()).isTrue();
    }

    @Test
    void aTimestampWithoutMillisStillHasThreeFractionDigits() {
        assertThat(timestampOf(Instant.parse("2026-11-22T10:00:01Z"))).isEqualTo("2026-11-22T10:00:01.000Z");
    }

    @Test
    void aTimestampWithNanosIsTruncatedToMillis() {
        assertThat(timestampOf(Instant.parse("2026-11-22T10:00:01.123456789Z"))).isEqualTo("2026-11-22T10:00:01.123Z");
    }

    @Test
    void anEventReadBackKeepsItsTimestamp() {
        EventMessage event = new EventMessage(1, "host.status", "h", Instant.parse("2026-11-22T10:00:01.200Z"),
                null, null, null, null);
        String text = AgentJson.mapper().writeValueAsString(event);
        assertThat(AgentJson.mapper().readValue(text, EventMessage.class).timestamp())
                .isEqualTo(Instant.parse("2026-11-22T10:00:01.200Z"));
    }

    private static String timestampOf(Instant at) {
        EventMessage event = new EventMessage(1, "host.status", "h", at, null, null, null, null);
        return AgentJson.mapper().readTree(AgentJson.mapper().writeValueAsString(event)).path("timestamp").asString();
    }
}

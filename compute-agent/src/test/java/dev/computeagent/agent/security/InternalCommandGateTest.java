package dev.computeagent.agent.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.command.CommandValidator;
import dev.computeagent.agent.command.Validation;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which exchange and which signature admit which command, on the validator's typed result. */
class InternalCommandGateTest {

    private static final String HOST = "node-8";
    private static final String UUID = "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a";
    private static final byte[] CHECK = ("{\"version\":1,\"request_id\":\"r-1.check\",\"command\":\"migration.check\","
            + "\"instance_uuid\":\"" + UUID + "\",\"args\":{\"source_host\":\"node-7\",\"flavor\":{\"vcpus\":1,"
            + "\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\"}}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] START = ("{\"version\":1,\"request_id\":\"r-2\",\"command\":\"start\","
            + "\"instance_uuid\":\"" + UUID + "\"}").getBytes(StandardCharsets.UTF_8);

    private final CommandValidator validator = new CommandValidator(HOST, AgentJson.mapper());
    private final InternalCommandGate gate = new InternalCommandGate(TestKeys.signature(), HOST);
    private final InternalSignature peer = TestKeys.signature();

    private Validation admit(byte[] body, boolean internal, Map<String, Object> headers) {
        return gate.admit(validator.validate(body, "compute." + HOST),
                new InternalCommandGate.Delivered(body, internal, new HashMap<>(headers), false, "q", "c"));
    }

    @Test
    void aSignedInternalCommandThroughTheAgentsExchangeIsAdmittedWithItsSender() {
        Validation admitted = admit(CHECK, true, peer.sign("node-7", HOST, "q", "c", CHECK));

        assertThat(admitted).isInstanceOfSatisfying(Validation.Accepted.class, a -> assertThat(a.command())
                .satisfies(i -> assertThat(i.sender()).isEqualTo("node-7")));
    }

    @Test
    void anInternalCommandThroughThePublicExchangeIsRefusedEvenWhenSigned() {
        Validation refused = admit(CHECK, false, peer.sign("node-7", HOST, "q", "c", CHECK));

        assertThat(refused).isInstanceOfSatisfying(Validation.Rejected.class, r -> {
            assertThat(r.reason()).contains("compute.internal");
            assertThat(r.requestId()).isEqualTo("r-1.check");
            assertThat(r.instanceUuid()).isEqualTo(UUID);
            assertThat(r.rawBody()).isEqualTo(new String(CHECK, StandardCharsets.UTF_8));
        });
    }

    @Test
    void anUnsignedInternalCommandAndAPublicOneThroughTheAgentsExchangeAreRefused() {
        assertThat(admit(CHECK, true, Map.of())).isInstanceOfSatisfying(Validation.Rejected.class,
                r -> assertThat(r.reason()).contains("not signed"));
        assertThat(admit(START, true, Map.of())).isInstanceOfSatisfying(Validation.Rejected.class,
                r -> assertThat(r.reason()).contains("only migration.* commands"));
        assertThat(admit(START, false, Map.of())).isInstanceOf(Validation.Accepted.class);
    }
}

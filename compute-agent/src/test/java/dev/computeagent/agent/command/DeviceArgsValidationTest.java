package dev.computeagent.agent.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.AttachVolumeArgs;
import dev.computeagent.agent.message.DetachInterfaceArgs;
import dev.computeagent.virt.device.VolumeConnection;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** attach_volume / detach_volume / attach_interface / detach_interface at the edge; credentials never echoed. */
class DeviceArgsValidationTest {

    private static final String PASSWORD = "Pa55-w0rd-never-echoed";
    private final CommandValidator validator = new CommandValidator("node-7", AgentJson.mapper());

    private Validation validate(String command, String args) {
        String body = CommandValidatorTest.envelope(command, args);
        return validator.validate(body.getBytes(StandardCharsets.UTF_8), "compute.node-7");
    }

    private static String iscsi(String extra) {
        return "{\"volume_id\":\"vol-1\",\"connection_info\":{\"driver_volume_type\":\"iscsi\",\"data\":{"
                + "\"target_portal\":\"127.0.0.1:3260\",\"target_iqn\":\"iqn.2026-12.dev:t\",\"target_lun\":1,"
                + "\"auth_method\":\"CHAP\",\"auth_username\":\"u\",\"auth_password\":\"" + PASSWORD + "\"" + extra
                + "}}}";
    }

    /** The iSCSI arguments with {@code change} ({@code old|new}) applied. */
    private static String iscsiChanged(String change) {
        String[] parts = change.split("\\|");
        return iscsi("").replace(parts[0], parts[1]);
    }

    @Test
    void iscsiVolumeWithChapIsReadIntoATypedConnection() {
        Validation v = validate("attach_volume", iscsi(""));

        assertThat(v).isInstanceOf(Validation.Accepted.class);
        AttachVolumeArgs args = (AttachVolumeArgs) ((Validation.Accepted) v).command().args();
        VolumeConnection.IscsiVolume connection = (VolumeConnection.IscsiVolume) args.connectionInfo().toConnection();
        assertThat(connection.portal().port()).isEqualTo(3260);
        assertThat(connection.lun()).isEqualTo(1);
        assertThat(connection.chap().orElseThrow().secret().reveal()).isEqualTo(PASSWORD);
        assertThat(args.toString()).doesNotContain(PASSWORD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"target_lun\":1|\"target_lun\":-1", "\"target_lun\":1|\"hosts\":7",
            "\"CHAP\"|\"kerberos\"", "127.0.0.1:3260|bad host name:x"})
    void aRejectedVolumeNamesTheFieldAndNeverEchoesThePassword(String change) {
        Validation v = validate("attach_volume", iscsiChanged(change));

        assertThat(v).isInstanceOfSatisfying(Validation.Rejected.class, r -> {
            assertThat(r.reason()).contains("args.connection_info").doesNotContain(PASSWORD);
            assertThat(r.rawBody()).contains("\"auth_password\":\"****\"").doesNotContain(PASSWORD);
        });
    }

    @Test
    void brokenJsonWithAPasswordIsEchoedMasked() {
        Validation v = validator.validate(("{\"command\":\"attach_volume\",\"auth_password\":\"" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8), "compute.node-7");

        assertThat(v).isInstanceOfSatisfying(Validation.Rejected.class,
                r -> assertThat(r.rawBody()).doesNotContain(PASSWORD));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"volume_id\":\"v\"}", "{\"volume_id\":\"a b\",\"connection_info\":{}}",
            "{\"volume_id\":\"v\",\"device\":\"vda\",\"connection_info\":{\"driver_volume_type\":\"file\",\"data\":{\"path\":\"/v\"}}}",
            "{\"volume_id\":\"v\",\"connection_info\":{\"driver_volume_type\":\"nfs\",\"data\":{}}}",
            "{\"volume_id\":\"v\",\"connection_info\":{\"driver_volume_type\":\"file\",\"data\":{\"path\":\"rel\"}}}"})
    void invalidAttachVolumeArgumentsAreRejected(String args) {
        assertThat(validate("attach_volume", args)).isInstanceOf(Validation.Rejected.class);
    }

    @Test
    void detachArgumentsAreRead() {
        assertThat(validate("detach_volume", "{\"volume_id\":\"vol-1\",\"timeout_s\":0}"))
                .isInstanceOf(Validation.Rejected.class);
        Validation v = validate("detach_interface", "{\"mac\":\"FA:16:3E:00:00:01\"}");
        assertThat(v).isInstanceOf(Validation.Accepted.class);
        assertThat(((DetachInterfaceArgs) ((Validation.Accepted) v).command().args()).mac())
                .isEqualTo("fa:16:3e:00:00:01");
        assertThat(validate("attach_interface", "{\"nic\":{\"type\":\"network\"}}"))
                .isInstanceOf(Validation.Rejected.class);
    }
}

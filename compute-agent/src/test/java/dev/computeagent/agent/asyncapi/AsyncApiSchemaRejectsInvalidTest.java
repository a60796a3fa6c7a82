package dev.computeagent.agent.asyncapi;

import static dev.computeagent.agent.asyncapi.AsyncApiDocument.messagePayload;
import static dev.computeagent.agent.asyncapi.AsyncApiDocument.resolve;
import static dev.computeagent.agent.asyncapi.AsyncApiDocument.validate;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schemas enforce the limits of the contract: each case takes a valid example from the document,
 * breaks exactly one rule, and expects the schema to refuse it (the untouched example passes).
 */
class AsyncApiSchemaRejectsInvalidTest {

    static Stream<Arguments> brokenSpawnCommands() {
        return Stream.of(
                broken("upper-case uuid", c -> c.put("instance_uuid", "8A3C7E9E-4B1F-4C55-9D2A-1F0E6C1D2B3A")),
                broken("uuid without dashes", c -> c.put("instance_uuid", "8a3c7e9e4b1f4c559d2a1f0e6c1d2b3a")),
                broken("not a uuid", c -> c.put("instance_uuid", "not-a-uuid")),
                broken("missing uuid", c -> c.remove("instance_uuid")),
                broken("version 2", c -> c.put("version", 2)),
                broken("version as text", c -> c.put("version", "1")),
                broken("missing version", c -> c.remove("version")),
                broken("request_id with a space", c -> c.put("request_id", "req 1")),
                broken("request_id of 129 chars", c -> c.put("request_id", "r".repeat(129))),
                broken("empty request_id", c -> c.put("request_id", "")),
                broken("unknown command", c -> c.put("command", "hibernate")),
                broken("missing args", c -> c.remove("args")),
                broken("vcpus 0", c -> flavor(c).put("vcpus", 0)),
                broken("vcpus 65", c -> flavor(c).put("vcpus", 65)),
                broken("memory_mb 63", c -> flavor(c).put("memory_mb", 63)),
                broken("memory_mb 1048577", c -> flavor(c).put("memory_mb", 1_048_577)),
                broken("root_gb -1", c -> flavor(c).put("root_gb", -1)),
                broken("root_gb 16385", c -> flavor(c).put("root_gb", 16_385)),
                broken("ephemeral_gb -1", c -> flavor(c).put("ephemeral_gb", -1)),
                broken("ephemeral_gb 2^34+1 (overflows bytes)", c -> flavor(c).put("ephemeral_gb", 17_179_869_185L)),
                broken("ephemeral_gb 16385", c -> flavor(c).put("ephemeral_gb", 16_385)),
                broken("17 nics", c -> {
                    ArrayNode nics = args(c).putArray("nics");
                    for (int i = 0; i < 17; i++) {
                        nics.addObject().put("type", "user");
                    }
                }),
                broken("vcpus not an integer", c -> flavor(c).put("vcpus", 1.5)),
                broken("missing flavor", c -> args(c).remove("flavor")),
                broken("empty name", c -> args(c).put("name", "")),
                broken("name of 256 chars", c -> args(c).put("name", "n".repeat(256))),
                broken("image_id with a slash", c -> args(c).put("image_id", "../etc/passwd")),
                broken("image_id of 129 chars", c -> args(c).put("image_id", "i".repeat(129))),
                broken("nic type tap", c -> nic(c, 0).put("type", "tap")),
                broken("network nic without source", c -> nic(c, 0).remove("source")),
                broken("user nic with a source", c -> nic(c, 1).put("source", "br0")),
                broken("bad mac", c -> nic(c, 0).put("mac", "52:54:00:12:34")),
                broken("129 metadata entries", c -> {
                    ObjectNode metadata = args(c).putObject("metadata");
                    for (int i = 0; i < 129; i++) {
                        metadata.put("k" + i, "v");
                    }
                }),
                broken("metadata key of 256 chars", c -> ((ObjectNode) args(c).get("metadata")).put("k".repeat(256), "v")),
                broken("metadata value of 4097 chars", c -> ((ObjectNode) args(c).get("metadata")).put("k", "v".repeat(4097))),
                broken("metadata value not a string", c -> ((ObjectNode) args(c).get("metadata")).put("k", 1)),
                broken("user_data not base64", c -> args(c).put("user_data", "not base64!")),
                broken("user_data above 64 KiB", c -> args(c).put("user_data", "A".repeat(87_388))),
                broken("public_keys as a list", c -> args(c).putArray("public_keys").add("ssh-ed25519 AAAA x")),
                broken("public key with options", c -> publicKeys(c).put("alice",
                        "command=\"true\" " + publicKeys(c).get("alice").asText())),
                broken("public key with a second line", c -> publicKeys(c).put("alice",
                        publicKeys(c).get("alice").asText() + "\nssh-rsa AAAA b")),
                broken("public key not a string", c -> publicKeys(c).put("alice", 1)),
                broken("33 public keys", c -> {
                    String key = publicKeys(c).get("alice").asText();
                    for (int i = 0; i < 33; i++) {
                        publicKeys(c).put("k" + i, key);
                    }
                }));
    }

    private static ObjectNode publicKeys(ObjectNode command) {
        return (ObjectNode) args(command).get("public_keys");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenSpawnCommands")
    void spawnSchemaRefuses(String rule, Consumer<ObjectNode> breakIt) {
        ObjectNode command = example("spawnCommand", 0);
        assertThat(validate(messagePayload("spawnCommand"), command)).as("untouched example").isEmpty();

        breakIt.accept(command);

        assertThat(validate(messagePayload("spawnCommand"), command)).as(rule).isNotEmpty();
    }

    @Test
    void spawnSchemaAcceptsTheLimitsThemselves() {
        ObjectNode command = example("spawnCommand", 0);
        flavor(command).put("vcpus", 64).put("memory_mb", 1_048_576).put("root_gb", 16_384);
        args(command).put("name", "ü".repeat(255)).put("image_id", "i".repeat(128));
        command.put("request_id", "r".repeat(128)).put("unknown_top_level_field", "ignored");

        assertThat(validate(messagePayload("spawnCommand"), command)).isEmpty();
    }

    @Test
    void otherCommandsEnforceTheirArgumentLimits() {
        ObjectNode stop = example("stopCommand", 0);
        ((ObjectNode) stop.get("args")).put("timeout_s", -1);
        assertThat(validate(messagePayload("stopCommand"), stop)).isNotEmpty();

        ObjectNode reboot = example("rebootCommand", 1);
        ((ObjectNode) reboot.get("args")).put("hard", "yes");
        assertThat(validate(messagePayload("rebootCommand"), reboot)).isNotEmpty();

        ObjectNode migrate = example("migrateCommand", 0);
        ((ObjectNode) migrate.get("args")).remove("destination");
        assertThat(validate(messagePayload("migrateCommand"), migrate)).isNotEmpty();

        ObjectNode resize = example("resizeCommand", 0);
        assertThat(validate(messagePayload("resizeCommand"), resize)).as("untouched example").isEmpty();
        ObjectNode resizeWithoutFlavor = resize.deepCopy();
        ((ObjectNode) resizeWithoutFlavor.get("args")).remove("flavor");
        assertThat(validate(messagePayload("resizeCommand"), resizeWithoutFlavor)).isNotEmpty();
        ObjectNode resizeTooManyCpus = resize.deepCopy();
        ((ObjectNode) resizeTooManyCpus.get("args").get("flavor")).put("vcpus", 65);
        assertThat(validate(messagePayload("resizeCommand"), resizeTooManyCpus)).isNotEmpty();

        ObjectNode rescue = example("rescueCommand", 0);
        assertThat(validate(messagePayload("rescueCommand"), rescue)).as("untouched example").isEmpty();
        ((ObjectNode) rescue.get("args")).put("image_id", "../etc/passwd");
        assertThat(validate(messagePayload("rescueCommand"), rescue)).isNotEmpty();

        ObjectNode rebuild = example("rebuildCommand", 0);
        assertThat(validate(messagePayload("rebuildCommand"), rebuild)).as("untouched example").isEmpty();
        ((ObjectNode) rebuild.get("args")).put("user_data", "not base64!");
        assertThat(validate(messagePayload("rebuildCommand"), rebuild)).isNotEmpty();
        ObjectNode rebuildEphemeral = example("rebuildCommand", 1);
        ((ObjectNode) rebuildEphemeral.get("args")).put("preserve_ephemeral", "yes");
        assertThat(validate(messagePayload("rebuildCommand"), rebuildEphemeral)).isNotEmpty();

        ObjectNode startAsStop = example("startCommand", 0);
        startAsStop.put("command", "stop");
        assertThat(validate(messagePayload("startCommand"), startAsStop)).isNotEmpty();

        ObjectNode internal = example("migrationCheckCommand", 0);
        ((ObjectNode) internal.get("args")).remove("source_host");
        assertThat(validate(messagePayload("migrationCheckCommand"), internal)).isNotEmpty();

        ObjectNode adopt = example("migrationAdoptCommand", 1);
        assertThat(validate(messagePayload("migrationAdoptCommand"), adopt)).as("untouched example").isEmpty();
        ObjectNode hostileNic = adopt.deepCopy();
        ((ObjectNode) hostileNic.get("args").get("instance").get("nics").get(0)).put("type", "hostdev");
        assertThat(validate(messagePayload("migrationAdoptCommand"), hostileNic)).isNotEmpty();
        ObjectNode hugeDisk = adopt.deepCopy();
        ((ObjectNode) hugeDisk.get("args").get("instance").get("flavor")).put("ephemeral_gb", 17_179_869_185L);
        assertThat(validate(messagePayload("migrationAdoptCommand"), hugeDisk)).isNotEmpty();
        ObjectNode badSha = adopt.deepCopy();
        ((ObjectNode) badSha.get("args").get("instance")).put("spec_sha256", "../../etc");
        assertThat(validate(messagePayload("migrationAdoptCommand"), badSha)).isNotEmpty();
    }

    @Test
    void eventSchemasRefuseWhatTheContractForbids() {
        ObjectNode endWithError = example("instanceActionEnd", 0);
        endWithError.putObject("error").put("code", "TIMEOUT").put("message", "x").put("retriable", true);
        assertThat(validate(messagePayload("instanceActionEnd"), endWithError)).isNotEmpty();

        ObjectNode errorWithoutError = example("instanceActionError", 0);
        errorWithoutError.putNull("error");
        assertThat(validate(messagePayload("instanceActionError"), errorWithoutError)).isNotEmpty();

        ObjectNode unknownCode = example("instanceActionError", 0);
        ((ObjectNode) unknownCode.get("error")).put("code", "OOPS");
        assertThat(validate(messagePayload("instanceActionError"), unknownCode)).isNotEmpty();

        ObjectNode unknownEvent = example("instanceActionStart", 0);
        unknownEvent.put("event", "instance.hibernate.start");
        assertThat(validate(messagePayload("instanceActionStart"), unknownEvent)).isNotEmpty();

        ObjectNode badTimestamp = example("instanceActionStart", 0);
        badTimestamp.put("timestamp", "yesterday");
        assertThat(validate(messagePayload("instanceActionStart"), badTimestamp)).isNotEmpty();

        ObjectNode missingField = example("powerStateUpdate", 0);
        missingField.remove("request_id");
        assertThat(validate(messagePayload("powerStateUpdate"), missingField)).as("request_id must be present (null)")
                .isNotEmpty();

        ObjectNode badState = example("powerStateUpdate", 0);
        ((ObjectNode) badState.get("payload")).put("state", "RUNNING");
        assertThat(validate(messagePayload("powerStateUpdate"), badState)).isNotEmpty();

        ObjectNode migrateWithoutDestination = example("instanceMigrateEnd", 0);
        ((ObjectNode) migrateWithoutDestination.get("payload")).remove("destination");
        assertThat(validate(messagePayload("instanceMigrateEnd"), migrateWithoutDestination)).isNotEmpty();

        ObjectNode rejectedWithHugeBody = example("commandRejected", 0);
        ((ObjectNode) rejectedWithHugeBody.get("payload")).put("raw_body", "x".repeat(4097));
        assertThat(validate(messagePayload("commandRejected"), rejectedWithHugeBody)).isNotEmpty();

        ObjectNode rejectedWithAnotherCode = example("commandRejected", 0);
        ((ObjectNode) rejectedWithAnotherCode.get("error")).put("code", "IMAGE_UNSAFE");
        assertThat(validate(messagePayload("commandRejected"), rejectedWithAnotherCode)).isNotEmpty();

        ObjectNode statusWithoutResources = example("hostStatus", 0);
        ((ObjectNode) statusWithoutResources.get("payload")).remove("resources");
        assertThat(validate(messagePayload("hostStatus"), statusWithoutResources)).isNotEmpty();

        ObjectNode eventVersion2 = example("hostStatus", 0);
        eventVersion2.put("version", 2);
        assertThat(validate(messagePayload("hostStatus"), eventVersion2)).isNotEmpty();
    }

    private static Arguments broken(String rule, Consumer<ObjectNode> breakIt) {
        return Arguments.of(rule, breakIt);
    }

    private static ObjectNode example(String message, int index) {
        JsonNode payload = resolve("#/components/messages/" + message + "/examples/" + index + "/payload");
        assertThat(payload.isObject()).as(message + " example " + index).isTrue();
        return (ObjectNode) payload.deepCopy();
    }

    private static ObjectNode args(ObjectNode command) {
        return (ObjectNode) command.get("args");
    }

    private static ObjectNode flavor(ObjectNode command) {
        return (ObjectNode) args(command).get("flavor");
    }

    private static ObjectNode nic(ObjectNode command, int index) {
        return (ObjectNode) ((ArrayNode) args(command).get("nics")).get(index);
    }
}

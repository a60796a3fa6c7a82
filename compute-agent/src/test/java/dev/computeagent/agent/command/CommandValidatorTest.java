package dev.computeagent.agent.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.message.MigrationResize;
import dev.computeagent.agent.message.MigrationResizeEndArgs;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.message.RebootArgs;
import dev.computeagent.agent.message.RebuildArgs;
import dev.computeagent.agent.message.ResizeArgs;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.message.StopArgs;
import dev.computeagent.agent.testing.SshKeys;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.RebootType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandValidatorTest {

    static final String HOST = "node-7";
    static final String KEY = "compute.node-7";
    static final String UUID_TEXT = "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a";
    static final String FLAVOR = "{\"vcpus\":1,\"memory_mb\":128,\"root_gb\":0}";

    private final CommandValidator validator = new CommandValidator(HOST, AgentJson.mapper());

    static String envelope(String command, String args) {
        return "{\"version\":1,\"request_id\":\"req-1\",\"command\":\"" + command + "\",\"instance_uuid\":\""
                + UUID_TEXT + "\",\"args\":" + args + "}";
    }

    static String spawnArgs(String extra) {
        return "{\"name\":\"vm\",\"flavor\":" + FLAVOR + ",\"image_id\":\"cirros-0.6\"" + extra + "}";
    }

    private Validation validate(String body) {
        return validator.validate(body.getBytes(StandardCharsets.UTF_8), KEY);
    }

    private String rejection(String body) {
        Validation v = validate(body);
        assertThat(v).as(body).isInstanceOf(Validation.Rejected.class);
        return ((Validation.Rejected) v).reason();
    }

    private Command<?> accepted(String body) {
        Validation v = validate(body);
        assertThat(v).as(body).isInstanceOf(Validation.Accepted.class);
        return ((Validation.Accepted) v).command();
    }

    /** The accepted command's arguments, which must be of {@code type}. */
    private <A extends CommandArgs> A acceptedArgs(String body, Class<A> type) {
        return type.cast(accepted(body).args());
    }

    @Test
    void acceptsAFullSpawnWithTypedArguments() {
        String ud = Base64.getEncoder().encodeToString("#cloud-config\n".getBytes(StandardCharsets.UTF_8));
        Command<?> c = accepted(envelope("spawn", "{\"name\":\"<web & 'db'>\",\"flavor\":{\"vcpus\":2,\"memory_mb\":512,"
                + "\"root_gb\":1,\"ephemeral_gb\":0},\"image_id\":\"img.1_a-b\",\"nics\":[{\"type\":\"network\","
                + "\"source\":\"default\",\"mac\":\"52:54:00:AA:bb:01\"},{\"type\":\"user\",\"model\":\"e1000\"}],"
                + "\"metadata\":{\"k\":\"v\"},\"user_data\":\"" + ud + "\",\"unknown\":1}"));
        assertThat(c.name()).isEqualTo(CommandName.SPAWN);
        SpawnArgs spawn = (SpawnArgs) c.args();
        assertThat(c.instanceUuid()).isEqualTo(UUID.fromString(UUID_TEXT));
        assertThat(c.requestId()).isEqualTo("req-1");
        assertThat(spawn.name()).isEqualTo("<web & 'db'>");
        assertThat(spawn.flavor().memoryMb()).isEqualTo(512);
        assertThat(spawn.nicSpecs()).hasSize(2);
        assertThat(spawn.nicSpecs().get(0).mac()).contains("52:54:00:aa:bb:01");
        assertThat(spawn.nicSpecs().get(1).type()).isEqualTo(NicSpec.Type.USER);
        assertThat(spawn.nicSpecs().get(1).model()).isEqualTo("e1000");
        assertThat(spawn.metadata()).containsEntry("k", "v");
        assertThat(new String(spawn.userDataBytes().orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("#cloud-config\n");
    }

    @Test
    void appliesDefaultsOfStopAndReboot() {
        StopArgs stop = acceptedArgs(envelope("stop", "{}"), StopArgs.class);
        assertThat(stop.timeout()).isEqualTo(Duration.ofSeconds(60));
        StopArgs force = acceptedArgs(envelope("stop", "{\"timeout_s\":0}"), StopArgs.class);
        assertThat(force.timeout()).isZero();
        RebootArgs reboot = acceptedArgs(envelope("reboot", "null"), RebootArgs.class);
        assertThat(reboot.rebootType()).isEqualTo(RebootType.SOFT);
        assertThat(reboot.softTimeout()).isEqualTo(Duration.ofSeconds(120));
        RebootArgs hard = acceptedArgs(envelope("reboot", "{\"hard\":true,\"timeout_s\":5}"), RebootArgs.class);
        assertThat(hard.rebootType()).isEqualTo(RebootType.HARD);
        assertThat(hard.softTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void readsRebuildArgumentsWithASpawnsRulesForUserDataAndKeys() {
        RebuildArgs none = acceptedArgs(envelope("rebuild", "null"), RebuildArgs.class);
        assertThat(none.imageId()).isNull();
        assertThat(none.userDataBytes()).isEmpty();
        assertThat(none.newPublicKeys()).isEmpty();
        assertThat(none.keepsEphemeral()).isFalse();
        assertThat(none.shutdownTimeout()).isEqualTo(Duration.ofSeconds(60));
        RebuildArgs full = acceptedArgs(envelope("rebuild", "{\"image_id\":\"debian-13\",\"user_data\":\"aGk=\","
                + "\"public_keys\":{\"alice\":\"" + SshKeys.ED25519 + "\"},\"preserve_ephemeral\":true,"
                + "\"timeout_s\":0}"), RebuildArgs.class);
        assertThat(full.imageId()).isEqualTo("debian-13");
        assertThat(full.userDataBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo("hi".getBytes(StandardCharsets.UTF_8)));
        assertThat(full.newPublicKeys()).contains(Map.of("alice", SshKeys.ED25519));
        assertThat(full.keepsEphemeral()).isTrue();
        assertThat(full.shutdownTimeout()).isZero();
        assertThat(rejection(envelope("rebuild", "{\"image_id\":\"../x\"}"))).contains("image_id");
        assertThat(rejection(envelope("rebuild", "{\"user_data\":\"not base64!\"}"))).contains("user_data");
        assertThat(rejection(envelope("rebuild", "{\"public_keys\":{\"a\":\"command=\\\"x\\\" ssh-ed25519 AAAA\"}}")))
                .contains("public_keys");
        assertThat(rejection(envelope("rebuild", "{\"preserve_ephemeral\":\"yes\"}"))).contains("preserve_ephemeral");
    }

    @Test
    void acceptsCommandsWithoutArgsAndIgnoresUnknownTopLevelFields() {
        String body = "{\"version\":1,\"request_id\":\"a.b:c_d-1\",\"command\":\"delete\",\"instance_uuid\":\""
                + UUID_TEXT + "\",\"extra\":{\"x\":1}}";
        assertThat(accepted(body).name()).isEqualTo(CommandName.DELETE);
        assertThat(accepted(body).args()).isEqualTo(NoArgs.INSTANCE);
        assertThat(accepted(envelope("start", "{}")).name()).isEqualTo(CommandName.START);
    }

    @Test
    void acceptsMigrateAndInternalCommands() {
        MigrateArgs m = acceptedArgs(envelope("migrate", "{\"destination\":\"node-8\"}"), MigrateArgs.class);
        assertThat(m.destination()).isEqualTo("node-8");
        assertThat(m.liveOrDefault()).isTrue();
        assertThat(m.stopTimeoutOrDefault()).isEqualTo(Duration.ofSeconds(60));
        MigrateArgs cold = acceptedArgs(envelope("migrate",
                "{\"destination\":\"node-8\",\"live\":false,\"stop_timeout_s\":0}"), MigrateArgs.class);
        assertThat(cold.stopTimeoutOrDefault()).isZero();
        Command<?> internal = accepted(envelope("migration.check",
                "{\"source_host\":\"node-6\",\"flavor\":" + FLAVOR + ",\"image_id\":\"tiny\",\"anything\":true}"));
        assertThat(internal.name()).isEqualTo(CommandName.MIGRATION_CHECK);
        assertThat(internal.args()).isEqualTo(new MigrationCheckArgs("node-6", new Flavor(1, 128, 0, 0), "tiny",
                null));
        assertThat(internal.sender()).as("authenticated later, by the gate").isNull();
    }

    @Test
    void typesTheInternalCommandsAndRefusesWhatTheirSchemasRefuse() {
        String instance = "{\"name\":\"web <1>\",\"flavor\":" + FLAVOR + ",\"image_id\":\"tiny\","
                + "\"nics\":[{\"type\":\"network\",\"source\":\"default\",\"mac\":\"52:54:00:AA:00:01\"}],"
                + "\"metadata\":{\"k\":\"v\"},\"created_at\":\"2026-11-22T10:00:00.020Z\",\"spawn_request\":\"r-1\","
                + "\"spec_sha256\":\"" + "a".repeat(64) + "\"}";
        Command<?> adopt = accepted(envelope("migration.adopt",
                "{\"source_host\":\"node-6\",\"migrate_request_id\":\"m-1\",\"start\":true,\"instance\":" + instance
                        + ",\"definition\":{\"format\":\"libvirt-domain-xml\",\"document\":\"<domain/>\"}}"));
        MigrationAdoptArgs args = (MigrationAdoptArgs) adopt.args();
        assertThat(args.instance().nics()).containsExactly(new NicArgs("network", "default", "52:54:00:aa:00:01",
                "virtio"));
        assertThat(args.instance().name()).isEqualTo("web <1>");
        assertThat(args.start()).isTrue();
        Command<?> prepare = accepted(envelope("migration.prepare",
                "{\"source_host\":\"node-6\",\"name\":\"vm\",\"flavor\":" + FLAVOR + ",\"image_id\":\"tiny\","
                        + "\"block_migration\":true,\"disk_virtual_size\":1073741824,\"config_drive\":\"AAAA\"}"));
        assertThat(((MigrationPrepareArgs) prepare.args()).diskVirtualSize()).isEqualTo(1L << 30);
        assertThat(accepted(envelope("migration.abort", "{\"source_host\":\"node-6\"}"))).isNotNull();

        String[][] cases = {
                {"migration.check", "{\"flavor\":" + FLAVOR + ",\"image_id\":\"tiny\"}", "args.source_host"},
                {"migration.check", "{\"source_host\":\"a b\",\"flavor\":" + FLAVOR + ",\"image_id\":\"tiny\"}",
                        "args.source_host"},
                {"migration.check", "{\"source_host\":\"a\",\"flavor\":" + FLAVOR + ",\"image_id\":\"tiny\","
                        + "\"shared_storage_probe\":\"../x\"}", "shared_storage_probe"},
                {"migration.prepare", "{\"source_host\":\"a\",\"name\":\"vm\",\"flavor\":" + FLAVOR
                        + ",\"image_id\":\"tiny\"}", "block_migration"},
                {"migration.prepare", "{\"source_host\":\"a\",\"name\":\"vm\",\"flavor\":" + FLAVOR
                        + ",\"image_id\":\"tiny\",\"block_migration\":true,\"config_drive\":\"not base64!\"}",
                        "config_drive"},
                {"migration.prepare", "{\"source_host\":\"a\",\"name\":\"vm\",\"flavor\":" + FLAVOR
                        + ",\"image_id\":\"tiny\",\"block_migration\":true,\"disk_virtual_size\":-1}",
                        "disk_virtual_size"},
                {"migration.adopt", "{\"source_host\":\"a\",\"instance\":\"<domain/>\"}", "args.instance"},
                {"migration.adopt", "{\"source_host\":\"a\",\"instance\":" + instance.replace("default",
                        "br0'/><hostdev/>") + "}", "args.instance.nics[0]"},
                {"migration.adopt", "{\"source_host\":\"a\",\"instance\":" + instance.replace("\"root_gb\":0",
                        "\"root_gb\":0,\"ephemeral_gb\":17179869185") + "}", "ephemeral_gb"},
                {"migration.adopt", "{\"source_host\":\"a\",\"instance\":" + instance.replace("r-1", "r 1") + "}",
                        "spawn_request"},
                {"migration.abort", "{\"source_host\":\"a\",\"reason\":\"" + "x".repeat(4097) + "\"}", "reason"}};
        for (String[] c : cases) {
            assertThat(rejection(envelope(c[0], c[1]))).as(c[1]).contains(c[2]);
        }
    }

    @Test
    void boundsDiskSizesAndNicCountSoThatNothingOverflows() {
        assertThat(rejection(envelope("spawn", spawnArgs("").replace("\"root_gb\":0",
                "\"root_gb\":0,\"ephemeral_gb\":17179869185")))).contains("ephemeral_gb").contains("16384");
        assertThat(rejection(envelope("spawn", spawnArgs("").replace("\"root_gb\":0",
                "\"root_gb\":0,\"ephemeral_gb\":9223372036854775807")))).contains("ephemeral_gb");
        assertThat(accepted(envelope("spawn", spawnArgs("").replace("\"root_gb\":0",
                "\"root_gb\":16384,\"ephemeral_gb\":16384"))))
                .satisfies(c -> assertThat(((SpawnArgs) c.args()).flavor().ephemeralGb()).isEqualTo(16_384));
        String nic = "{\"type\":\"user\"}";
        assertThat(rejection(envelope("spawn", spawnArgs(",\"nics\":" + IntStream.range(0, 17).mapToObj(i -> nic)
                .collect(Collectors.joining(",", "[", "]")))))).contains("nics").contains("16");
        assertThat(accepted(envelope("spawn", spawnArgs(",\"nics\":" + IntStream.range(0, 16).mapToObj(i -> nic)
                .collect(Collectors.joining(",", "[", "]")))))).isNotNull();
    }

    @Test
    void aRejectionReasonQuotingTheMessageCannotCarryALineBreakOrAnEscape() {
        String reason = rejection(envelope("hibernate\\r\\n2026-01-01 INFO forged\\u0000\\u001b[31m", "{}"));

        assertThat(reason).startsWith("unknown command: hibernate\\r\\n2026-01-01 INFO forged\\u0000\\u001b[31m");
        assertThat(reason.chars()).noneMatch(ch -> ch < 0x20);
    }

    @Test
    void rejectsNonUtf8WithoutEchoingTheBody() {
        Validation v = validator.validate(new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b}, KEY);
        assertThat(v).isInstanceOfSatisfying(Validation.Rejected.class, r -> {
            assertThat(r.reason()).contains("UTF-8");
            assertThat(r.rawBody()).isNull();
        });
    }

    @Test
    void rejectsNotJsonAndEchoesTheTruncatedBody() {
        String garbage = "not json " + "x".repeat(10_000);
        Validation v = validate(garbage);
        assertThat(v).isInstanceOfSatisfying(Validation.Rejected.class, r -> {
            assertThat(r.reason()).startsWith("body is not JSON");
            assertThat(r.rawBody()).hasSize(CommandValidator.RAW_BODY_LIMIT).startsWith("not json");
        });
        assertThat(rejection("")).contains("JSON");
        assertThat(rejection("[1,2]")).contains("object");
        assertThat(rejection("{} {}")).contains("JSON");
    }

    @Test
    void keepsRequestIdAndUuidInTheRejectionWhenReadable() {
        Validation v = validate(envelope("explode", "{}"));
        assertThat(v).isInstanceOfSatisfying(Validation.Rejected.class, r -> {
            assertThat(r.reason()).contains("unknown command");
            assertThat(r.requestId()).isEqualTo("req-1");
            assertThat(r.instanceUuid()).isEqualTo(UUID_TEXT);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/no", "ünïcode"})
    void rejectsInvalidRequestIds(String id) {
        String body = envelope("start", "{}").replace("\"req-1\"", "\"" + id + "\"");
        assertThat(rejection(body)).contains("request_id");
    }

    @Test
    void rejectsRequestIdsLongerThan128() {
        String body = envelope("start", "{}").replace("req-1", "r".repeat(129));
        assertThat(rejection(body)).contains("request_id");
        assertThat(accepted(envelope("start", "{}").replace("req-1", "r".repeat(128)))).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8A3C7E9E-4B1F-4C55-9D2A-1F0E6C1D2B3A", "8a3c7e9e4b1f4c559d2a1f0e6c1d2b3a",
            "{8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a}", "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3", "x"})
    void rejectsNonCanonicalUuids(String uuid) {
        assertThat(rejection(envelope("start", "{}").replace(UUID_TEXT, uuid))).contains("instance_uuid");
    }

    @Test
    void rejectsMissingOrUnsupportedVersions() {
        assertThat(rejection(envelope("start", "{}").replace("\"version\":1,", ""))).contains("version");
        assertThat(rejection(envelope("start", "{}").replace("\"version\":1", "\"version\":2")))
                .contains("unsupported version 2");
        assertThat(rejection(envelope("start", "{}").replace("\"version\":1", "\"version\":\"1\"")))
                .contains("version");
        assertThat(rejection(envelope("start", "{}").replace("\"version\":1", "\"version\":1.5")))
                .contains("version");
    }

    @Test
    void rejectsUnknownOrMissingCommands() {
        assertThat(rejection(envelope("format-disk", "{}"))).contains("unknown command");
        assertThat(rejection(envelope("SPAWN", "{}"))).contains("unknown command");
        assertThat(rejection(envelope("start", "{}").replace("\"command\":\"start\",", ""))).contains("command");
    }

    @Test
    void rejectsAMessageRoutedWithAnotherHostsKey() {
        Validation v = validator.validate(envelope("start", "{}").getBytes(StandardCharsets.UTF_8), "compute.node-8");
        assertThat(v).isInstanceOfSatisfying(Validation.Rejected.class,
                r -> assertThat(r.reason()).contains("wrong host"));
        assertThat(validator.validate(envelope("start", "{}").getBytes(StandardCharsets.UTF_8), null))
                .isInstanceOf(Validation.Rejected.class);
    }

    @Test
    void rejectsArgsThatAreNotAnObject() {
        assertThat(rejection(envelope("stop", "[]"))).contains("args");
        assertThat(rejection(envelope("stop", "\"x\""))).contains("args");
    }

    @Test
    void rejectsSpawnNames() {
        assertThat(rejection(envelope("spawn", spawnArgs("").replace("\"vm\"", "\"\"")))).contains("args.name");
        assertThat(rejection(envelope("spawn", spawnArgs("").replace("\"vm\"", "\"" + "n".repeat(256) + "\""))))
                .contains("args.name");
        assertThat(rejection(envelope("spawn", spawnArgs("").replace("\"vm\"", "42")))).contains("args.name");
        assertThat(rejection(envelope("spawn", spawnArgs("").replace("\"name\":\"vm\",", "")))).contains("args.name");
        assertThat(accepted(envelope("spawn", spawnArgs("").replace("\"vm\"", "\"" + "n".repeat(255) + "\""))))
                .isNotNull();
    }

    @Test
    void rejectsFlavorsOutsideTheirRanges() {
        String[][] cases = {
                {"\"vcpus\":1", "\"vcpus\":0", "vcpus"}, {"\"vcpus\":1", "\"vcpus\":65", "vcpus"},
                {"\"vcpus\":1", "\"vcpus\":1.0", "vcpus"}, {"\"vcpus\":1", "\"vcpus\":\"1\"", "vcpus"},
                {"\"memory_mb\":128", "\"memory_mb\":63", "memory_mb"},
                {"\"memory_mb\":128", "\"memory_mb\":1048577", "memory_mb"},
                {"\"root_gb\":0", "\"root_gb\":-1", "root_gb"}, {"\"root_gb\":0", "\"root_gb\":16385", "root_gb"},
                {"\"root_gb\":0", "\"root_gb\":0,\"ephemeral_gb\":-1", "ephemeral_gb"},
                {",\"root_gb\":0", "", "root_gb"}};
        for (String[] c : cases) {
            assertThat(rejection(envelope("spawn", spawnArgs("").replace(c[0], c[1])))).as(c[1]).contains(c[2]);
        }
        assertThat(rejection(envelope("spawn", spawnArgs("").replace(FLAVOR, "\"small\"")))).contains("flavor");
        assertThat(accepted(envelope("spawn", spawnArgs("").replace(FLAVOR,
                "{\"vcpus\":64,\"memory_mb\":1048576,\"root_gb\":16384}")))).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../etc/passwd", "a/b", "with space", "<x>"})
    void rejectsInvalidImageIds(String imageId) {
        assertThat(rejection(envelope("spawn", spawnArgs("").replace("cirros-0.6", imageId)))).contains("image_id");
    }

    @Test
    void rejectsImageIdsLongerThan128() {
        assertThat(rejection(envelope("spawn", spawnArgs("").replace("cirros-0.6", "i".repeat(129)))))
                .contains("image_id");
    }

    @Test
    void rejectsInvalidNics() {
        String[][] cases = {
                {",\"nics\":{}", "nics"},
                {",\"nics\":[1]", "nics[0]"},
                {",\"nics\":[{\"type\":\"tap\",\"source\":\"x\"}]", "type"},
                {",\"nics\":[{\"source\":\"x\"}]", "type"},
                {",\"nics\":[{\"type\":\"network\"}]", "source"},
                {",\"nics\":[{\"type\":\"user\",\"source\":\"br0\"}]", "source"},
                {",\"nics\":[{\"type\":\"bridge\",\"source\":\"br0\",\"mac\":\"zz:54:00:aa:bb:01\"}]", "mac"},
                {",\"nics\":[{\"type\":\"bridge\",\"source\":\"br0'/><evil/>\"}]", "nics[0]"},
                {",\"nics\":[{\"type\":\"user\",\"model\":\"Bad Model\"}]", "nics[0]"}};
        for (String[] c : cases) {
            assertThat(rejection(envelope("spawn", spawnArgs(c[0])))).as(c[0]).contains(c[1]);
        }
    }

    @Test
    void rejectsMetadataBeyondItsLimits() {
        String tooMany = IntStream.range(0, 129).mapToObj(i -> "\"k" + i + "\":\"v\"")
                .collect(Collectors.joining(",", "{", "}"));
        assertThat(rejection(envelope("spawn", spawnArgs(",\"metadata\":" + tooMany)))).contains("128");
        String exactly = IntStream.range(0, 128).mapToObj(i -> "\"k" + i + "\":\"v\"")
                .collect(Collectors.joining(",", "{", "}"));
        assertThat(accepted(envelope("spawn", spawnArgs(",\"metadata\":" + exactly)))).isNotNull();
        assertThat(rejection(envelope("spawn", spawnArgs(",\"metadata\":{\"" + "k".repeat(256) + "\":\"v\"}"))))
                .contains("key");
        assertThat(rejection(envelope("spawn", spawnArgs(",\"metadata\":{\"k\":\"" + "v".repeat(4097) + "\"}"))))
                .contains("value");
        assertThat(rejection(envelope("spawn", spawnArgs(",\"metadata\":{\"k\":1}")))).contains("strings");
        assertThat(rejection(envelope("spawn", spawnArgs(",\"metadata\":[]")))).contains("metadata");
    }

    @Test
    void rejectsUserDataThatIsNotBase64OrTooLarge() {
        assertThat(rejection(envelope("spawn", spawnArgs(",\"user_data\":\"not base64!\"")))).contains("base64");
        assertThat(rejection(envelope("spawn", spawnArgs(",\"user_data\":12")))).contains("user_data");
        String big = Base64.getEncoder().encodeToString(new byte[64 * 1024 + 1]);
        assertThat(rejection(envelope("spawn", spawnArgs(",\"user_data\":\"" + big + "\"")))).contains("64 KiB");
        String max = Base64.getEncoder().encodeToString(new byte[64 * 1024]);
        assertThat(accepted(envelope("spawn", spawnArgs(",\"user_data\":\"" + max + "\"")))).isNotNull();
    }

    @Test
    void acceptsSshPublicKeysByNameAndAbsentMeansNone() {
        SpawnArgs spawn = acceptedArgs(envelope("spawn", spawnArgs(",\"public_keys\":{\"alice\":\""
                + SshKeys.ED25519 + "\",\"bob's key\":\"" + SshKeys.RSA + "\"}")), SpawnArgs.class);
        assertThat(spawn.publicKeys()).containsOnly(entry("alice", SshKeys.ED25519),
                entry("bob's key", SshKeys.RSA));
        SpawnArgs without = acceptedArgs(envelope("spawn", spawnArgs(",\"public_keys\":null")), SpawnArgs.class);
        assertThat(without.publicKeys()).isEmpty();
        String noComment = SshKeys.ED25519.substring(0, SshKeys.ED25519.lastIndexOf(' '));
        assertThat(accepted(envelope("spawn", spawnArgs(",\"public_keys\":{\"k\":\"" + noComment + "\"}"))))
                .isNotNull();
    }

    @Test
    void rejectsAnythingThatIsNotOneOpenSshPublicKeyLine() {
        String blob = SshKeys.ED25519.split(" ")[1];
        String[] bad = {
            "command=\\\"rm -rf /\\\" " + SshKeys.ED25519,   // options
            SshKeys.ED25519 + "\\nssh-ed25519 " + blob + " second",   // a second line
            "ssh-rsa " + blob + " a@b",                              // blob of another key type
            "ssh-ed25519 not*base64",                                // not base64
            "ssh-ed25519 " + blob.substring(0, 8),                   // truncated blob
            "ssh-ed25519",                                           // no blob
            "",
        };
        for (String key : bad) {
            assertThat(rejection(envelope("spawn", spawnArgs(",\"public_keys\":{\"k\":\"" + key + "\"}"))))
                    .as(key).contains("public_keys.k").contains("OpenSSH");
        }
        assertThat(rejection(envelope("spawn", spawnArgs(",\"public_keys\":{\"k\":1}")))).contains("string");
        assertThat(rejection(envelope("spawn", spawnArgs(",\"public_keys\":[\"" + SshKeys.ED25519 + "\"]"))))
                .contains("public_keys must be an object");
        assertThat(rejection(envelope("spawn", spawnArgs(",\"public_keys\":{\"\":\"" + SshKeys.ED25519 + "\"}"))))
                .contains("names");
        assertThat(rejection(envelope("spawn", spawnArgs(",\"public_keys\":{\"a\\tb\":\"" + SshKeys.ED25519
                + "\"}")))).contains("control");
        String many = IntStream.range(0, 33).mapToObj(i -> "\"k" + i + "\":\"" + SshKeys.ED25519 + "\"")
                .collect(Collectors.joining(",", "{", "}"));
        assertThat(rejection(envelope("spawn", spawnArgs(",\"public_keys\":" + many)))).contains("32");
        String longComment = SshKeys.ED25519 + "x".repeat(16_384);
        assertThat(rejection(envelope("spawn", spawnArgs(",\"public_keys\":{\"k\":\"" + longComment + "\"}"))))
                .contains("16384");
    }

    @Test
    void acceptsMimeStyleUserDataWithLineBreaksAndStillBoundsTheDecodedSize() {
        byte[] data = new byte[3000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        // JSON-escaped CRLF every 76 characters, as Base64.getMimeEncoder writes it
        String mime = Base64.getMimeEncoder().encodeToString(data).replace("\r\n", "\\r\\n");
        SpawnArgs spawn = acceptedArgs(envelope("spawn", spawnArgs(",\"user_data\":\"" + mime + "\"")), SpawnArgs.class);
        assertThat(spawn.userDataBytes().orElseThrow()).isEqualTo(data);
        String bigMime = Base64.getMimeEncoder().encodeToString(new byte[64 * 1024 + 1]).replace("\r\n", "\\n");
        assertThat(rejection(envelope("spawn", spawnArgs(",\"user_data\":\"" + bigMime + "\"")))).contains("64 KiB");
        String maxMime = Base64.getMimeEncoder().encodeToString(new byte[64 * 1024]).replace("\r\n", "\\r\\n");
        assertThat(accepted(envelope("spawn", spawnArgs(",\"user_data\":\"" + maxMime + "\"")))).isNotNull();
    }

    @Test
    void rejectsInvalidStopRebootAndMigrateArguments() {
        assertThat(rejection(envelope("stop", "{\"timeout_s\":-1}"))).contains("timeout_s");
        assertThat(rejection(envelope("stop", "{\"timeout_s\":\"10\"}"))).contains("timeout_s");
        assertThat(rejection(envelope("reboot", "{\"hard\":\"yes\"}"))).contains("hard");
        assertThat(rejection(envelope("migrate", "{}"))).contains("destination");
        assertThat(rejection(envelope("migrate", "{\"destination\":\"" + HOST + "\"}"))).contains("this host");
        assertThat(rejection(envelope("migrate", "{\"destination\":\"a b\"}"))).contains("destination");
        assertThat(rejection(envelope("migrate", "{\"destination\":\"n8\",\"live\":1}"))).contains("live");
        assertThat(rejection(envelope("migrate", "{\"destination\":\"n8\",\"stop_timeout_s\":-1}")))
                .contains("stop_timeout_s");
    }

    private static final String CHAP_INFO = "{\"driver_volume_type\":\"iscsi\",\"data\":{\"target_portal\":"
            + "\"192.0.2.20:3260\",\"target_iqn\":\"iqn.2010-10.org.openstack:v1\",\"target_lun\":1,"
            + "\"auth_method\":\"CHAP\",\"auth_username\":\"user-b\",\"auth_password\":\"pw-Secret-77\"}}";

    @Test
    void readsTheDestinationsVolumesOfAMigrateAndOfItsPrepare() {
        MigrateArgs m = acceptedArgs(envelope("migrate", "{\"destination\":\"node-8\",\"volumes\":[{\"volume_id\":"
                + "\"vol-1\",\"connection_info\":" + CHAP_INFO + "}]}"), MigrateArgs.class);
        assertThat(m.volumes()).singleElement().satisfies(v -> {
            assertThat(v.volumeId()).isEqualTo("vol-1");
            assertThat(v.connectionInfo().toConnection().credentials().orElseThrow().username()).isEqualTo("user-b");
        });
        assertThat(m.toString()).doesNotContain("pw-Secret-77");
        String secret = "0f0e0d0c-0b0a-4909-8807-060504030201";
        MigrationPrepareArgs prepare = (MigrationPrepareArgs) accepted(envelope("migration.prepare",
                "{\"source_host\":\"node-6\",\"name\":\"vm\",\"flavor\":" + FLAVOR + ",\"image_id\":\"tiny\","
                        + "\"block_migration\":false,\"volumes\":[{\"volume_id\":\"vol-1\",\"device\":\"vdb\","
                        + "\"connection_info\":" + CHAP_INFO + ",\"secret_uuid\":\"" + secret + "\"}]}")).args();
        assertThat(prepare.volumes()).singleElement().satisfies(v -> {
            assertThat(v.device()).isEqualTo("vdb");
            assertThat(v.secretUuid()).isEqualTo(secret);
        });
    }

    @Test
    void rejectsInvalidMigrationVolumesWithoutEchoingACredential() {
        String[][] cases = {
                {"migrate", "{\"destination\":\"n8\",\"volumes\":{}}", "args.volumes"},
                {"migrate", "{\"destination\":\"n8\",\"volumes\":[{\"connection_info\":" + CHAP_INFO + "}]}",
                        "args.volumes[0].volume_id"},
                {"migrate", "{\"destination\":\"n8\",\"volumes\":[{\"volume_id\":\"v1\"}]}",
                        "args.volumes[0].connection_info"},
                {"migrate", "{\"destination\":\"n8\",\"volumes\":[{\"volume_id\":\"v1\",\"connection_info\":"
                        + CHAP_INFO.replace("CHAP", "PAP") + "}]}", "auth_method"},
                {"migrate", "{\"destination\":\"n8\",\"volumes\":[{\"volume_id\":\"v1\",\"connection_info\":"
                        + CHAP_INFO + "},{\"volume_id\":\"v1\",\"connection_info\":" + CHAP_INFO + "}]}",
                        "args.volumes[1].volume_id"},
                {"migration.prepare", "{\"source_host\":\"a\",\"name\":\"vm\",\"flavor\":" + FLAVOR
                        + ",\"image_id\":\"tiny\",\"block_migration\":false,\"volumes\":[{\"volume_id\":\"v1\","
                        + "\"device\":\"vdb\",\"connection_info\":" + CHAP_INFO + ",\"secret_uuid\":\"ABC\"}]}",
                        "secret_uuid"},
                {"migration.prepare", "{\"source_host\":\"a\",\"name\":\"vm\",\"flavor\":" + FLAVOR
                        + ",\"image_id\":\"tiny\",\"block_migration\":false,\"volumes\":[{\"volume_id\":\"v1\","
                        + "\"device\":\"sda\",\"connection_info\":" + CHAP_INFO
                        + ",\"secret_uuid\":\"0f0e0d0c-0b0a-4909-8807-060504030201\"}]}", "args.volumes[0].device"},
        };
        for (String[] c : cases) {
            assertThat(rejection(envelope(c[0], c[1]))).as(c[1]).contains(c[2]).doesNotContain("pw-Secret-77");
        }
    }

    @Test
    void readsTheDestinationOfAResizeAndTheNewFlavorOnTheInternalCommandsOfOne() {
        String bigger = "{\"vcpus\":2,\"memory_mb\":256,\"root_gb\":1}";
        assertThat(acceptedArgs(envelope("resize", "{\"flavor\":" + bigger + ",\"destination\":\"node-8\"}"),
                ResizeArgs.class).destination()).isEqualTo("node-8");
        assertThat(acceptedArgs(envelope("resize", "{\"flavor\":" + bigger + ",\"destination\":\"" + HOST + "\"}"),
                ResizeArgs.class).destination()).as("this host: a resize here").isNull();
        assertThat(acceptedArgs(envelope("resize", "{\"flavor\":" + bigger + "}"), ResizeArgs.class).destination())
                .isNull();
        assertThat(rejection(envelope("resize", "{\"flavor\":" + bigger + ",\"destination\":\"a b\"}")))
                .contains("destination");
        MigrationCheckArgs check = acceptedArgs(envelope("migration.check", "{\"source_host\":\"node-6\",\"flavor\":"
                + FLAVOR + ",\"image_id\":\"tiny\",\"resize_flavor\":" + bigger + "}"), MigrationCheckArgs.class);
        assertThat(check.flavorThere()).isEqualTo(new Flavor(2, 256, 1, 0));
        assertThat(rejection(envelope("migration.check", "{\"source_host\":\"node-6\",\"flavor\":" + FLAVOR
                + ",\"image_id\":\"tiny\",\"resize_flavor\":{\"vcpus\":0}}"))).contains("resize_flavor");
        MigrationAdoptArgs adopt = acceptedArgs(envelope("migration.adopt", "{\"source_host\":\"node-6\",\"start\":true,"
                + "\"resize\":{\"flavor\":" + bigger + ",\"request_id\":\"r-9\"}}"), MigrationAdoptArgs.class);
        assertThat(adopt.resize()).isEqualTo(new MigrationResize(new Flavor(2, 256, 1, 0), "r-9"));
        assertThat(rejection(envelope("migration.adopt", "{\"source_host\":\"node-6\",\"resize\":{\"flavor\":"
                + bigger + "}}"))).contains("args.resize.request_id");
        assertThat(acceptedArgs(envelope("migration.resize_revert", "{\"source_host\":\"node-8\"}"),
                MigrationResizeEndArgs.class).sourceHost()).isEqualTo("node-8");
        assertThat(rejection(envelope("migration.resize_confirm", "{}"))).contains("source_host");
    }

    @Test
    void rejectsDuplicateKeys() {
        String body = envelope("start", "{}").replace("\"version\":1,", "\"version\":1,\"version\":1,");
        assertThat(rejection(body)).contains("JSON");
    }
}

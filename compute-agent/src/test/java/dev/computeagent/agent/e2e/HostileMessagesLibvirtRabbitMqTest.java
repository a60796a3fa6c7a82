package dev.computeagent.agent.e2e;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.security.InternalSignature;
import dev.computeagent.agent.security.KeyRing;
import dev.computeagent.agent.testing.TestKeys;
import dev.computeagent.image.testing.TestImages;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.libvirt.domain.AgentMetadata;
import dev.computeagent.virt.libvirt.testing.Virsh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A hostile publisher against a real agent JVM (real libvirtd + QEMU, real RabbitMQ, a real image
 * store), the agent configured with the agents' shared key: forged and unsigned {@code migration.*}
 * commands define nothing and are dead-lettered, a signed adopt defines only what the agent renders
 * itself, limits hold, message text cannot forge a log line, and neither events nor the health endpoint
 * show the host's paths. One agent without a key shows the secure default.
 */
class HostileMessagesLibvirtRabbitMqTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    static final String PEER = "peer-agent-1";
    static final String FORGED = "FORGED-LOG-LINE";
    static AgentFixture fx;
    static InternalSignature peer;

    @BeforeAll
    static void startAgent() throws Exception {
        fx = new AgentFixture();
        Map<String, String> extra = new HashMap<>(TestKeys.agentProperties());
        // keeps the 4 TiB test image a small qcow2 in the cache instead of a sparse raw copy
        extra.put("agent.image-cache.force-raw", "false");
        fx.startAgent(extra);
        peer = TestKeys.signature();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void unsignedForgedAndReplayedMigrationCommandsDefineNothingAndAreDeadLetteredIntact() throws Exception {
        List<UUID> uuids = IntStream.range(0, 6).mapToObj(i -> UUID.randomUUID()).toList();
        List<byte[]> expectedDead = new ArrayList<>();
        try {
            // unsigned, on the public exchange: what any controller (or anyone with write on compute) can send
            byte[] viaCompute = hostileAdopt(uuids.get(0), "h0");
            fx.client.publish("compute", "compute." + fx.host, viaCompute, "h0", null);
            expectedDead.add(viaCompute);
            // unsigned, on the agents' exchange
            byte[] unsigned = hostileAdopt(uuids.get(1), "h1");
            fx.client.publish("compute.internal", "compute." + fx.host, unsigned, "h1", null);
            expectedDead.add(unsigned);
            // signed with a key the agent does not have
            byte[] otherKey = hostileAdopt(uuids.get(2), "h2");
            InternalSignature stranger = new InternalSignature(KeyRing.load(null, "x".repeat(48), TestKeys.KEY_ID, null),
                    Clock.systemUTC(), Duration.ofMinutes(15));
            fx.client.publish("compute.internal", "compute." + fx.host, otherKey, "h2",
                    stranger.sign(PEER, fx.host, fx.client.replyQueue(), "h2", otherKey));
            expectedDead.add(otherKey);
            // signed with the right key, then changed
            byte[] tampered = hostileAdopt(uuids.get(3), "h3");
            Map<String, Object> headers = peer.sign(PEER, fx.host, fx.client.replyQueue(), "h3", tampered);
            byte[] changed = new String(tampered, StandardCharsets.UTF_8).replace("/etc/hostname", "/etc/passwdX")
                    .getBytes(StandardCharsets.UTF_8);
            fx.client.publish("compute.internal", "compute." + fx.host, changed, "h3", headers);
            expectedDead.add(changed);
            // signed and intact, sent twice: the second is a replay
            byte[] signed = hostileAdopt(uuids.get(4), "h4");
            Map<String, Object> signedHeaders = peer.sign(PEER, fx.host, fx.client.replyQueue(), "h4", signed);
            fx.client.publish("compute.internal", "compute." + fx.host, signed, "h4", signedHeaders);
            JsonNode authentic = fx.client.awaitReply("h4", WAIT).json();
            fx.client.publish("compute.internal", "compute." + fx.host, signed, "h4", signedHeaders);
            expectedDead.add(signed);

            assertRejected("h0", "compute.internal");
            assertRejected("h1", "not signed");
            assertRejected("h2", "does not match");
            assertRejected("h3", "does not match");
            await().atMost(WAIT).until(() -> fx.client.repliesWith("h4") == 2);
            assertThat(fx.client.events(j -> "command.rejected".equals(j.path("event").asString())
                    && j.path("payload").path("reason").asString().contains("replayed"))).hasSize(1);
            // the authentic one is an authenticated peer's adopt: its raw definition is not even read,
            // and nothing migrated here from that peer
            assertThat(authentic.path("event").asString()).as(authentic.toString())
                    .isEqualTo("instance.migration.adopt.error");
            assertThat(authentic.path("error").path("code").asString()).isEqualTo("INSTANCE_NOT_FOUND");

            List<byte[]> dead = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                dead.addAll(fx.client.drainDeadLetters());
                return expectedDead.stream().allMatch(e -> dead.stream().anyMatch(d -> Arrays.equals(d, e)));
            });
            assertThat(dead).as("dead-lettered byte for byte").usingElementComparator(Arrays::compare)
                    .containsAll(expectedDead);
            assertThat(Virsh.allDomains()).as("no hostile definition reached libvirt")
                    .doesNotContainAnyElementsOf(uuids.stream().map(u -> "instance-" + u).toList());
            assertThat(fx.agent().alive()).isTrue();
        } finally {
            undefineIfPresent(uuids);
        }
    }

    @Test
    void aSignedAdoptFromThePreparingAgentDefinesOnlyWhatTheAgentRendersItself() throws Exception {
        UUID uuid = UUID.randomUUID();
        try {
            JsonNode prepared = internal("migration.prepare", "p-" + uuid, uuid, "{\"source_host\":\"" + PEER
                    + "\",\"name\":\"smuggler\",\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},"
                    + "\"image_id\":\"tiny\",\"block_migration\":false}");
            assertThat(prepared.path("event").asString()).as(prepared.toString())
                    .isEqualTo("instance.migration.prepare.end");
            // the shared instance directory, as the source left it
            Path dir = fx.instanceDir(uuid.toString());
            Files.createDirectories(dir);
            TestImages.qemuImg("create", "-q", "-f", "qcow2", dir.resolve("disk").toString(), "64M");

            String instance = "{\"name\":\"smuggler\",\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},"
                    + "\"image_id\":\"tiny\",\"nics\":[{\"type\":\"user\",\"mac\":\"52:54:00:5a:5a:01\"}],"
                    + "\"metadata\":{\"k\":\"v\"},\"spec_sha256\":\"" + "0".repeat(64) + "\"}";
            JsonNode adopted = internal("migration.adopt", "a-" + uuid, uuid, "{\"source_host\":\"" + PEER
                    + "\",\"start\":false,\"instance\":" + instance + ",\"definition\":{\"format\":"
                    + "\"libvirt-domain-xml\",\"document\":" + AgentFixture.json(hostileXml(uuid, PEER)) + "}}");

            assertThat(adopted.path("event").asString()).as(adopted.toString())
                    .isEqualTo("instance.migration.adopt.end");
            assertThat(adopted.path("payload").path("state").asString()).isEqualTo("STOPPED");
            assertThat(adopted.path("payload").path("host").asString()).isEqualTo(fx.host);
            String xml = Virsh.run("dumpxml", "instance-" + uuid);
            assertThat(xml).contains("<source file='" + dir.resolve("disk") + "'", "52:54:00:5a:5a:01", "smuggler")
                    .doesNotContain("/etc/hostname").doesNotContain("commandline").doesNotContain("<hostdev");
            assertThat(fx.get("/v1/instances/" + uuid).body()).contains("\"STOPPED\"", fx.host);

            String deleteId = "d-" + uuid;
            fx.client.command(envelope("delete", deleteId, uuid.toString(), "{}"), deleteId);
            assertThat(fx.client.awaitReply(deleteId, WAIT).json().path("event").asString())
                    .isEqualTo("instance.delete.end");
        } finally {
            undefineIfPresent(List.of(uuid));
        }
    }

    @Test
    void migrationCheckTellsItsStateDirectoryOnlyToTheRequesterAndHealthShowsNoPath() throws Exception {
        UUID uuid = UUID.randomUUID();
        String requestId = "c-" + uuid;

        JsonNode reply = internal("migration.check", requestId, uuid, "{\"source_host\":\"" + PEER
                + "\",\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\"}");

        assertThat(reply.path("event").asString()).as(reply.toString()).isEqualTo("instance.migration.check.end");
        assertThat(reply.path("payload").path("reply_only").path("state_dir").asString())
                .isEqualTo(fx.stateDir.toAbsolutePath().toString());
        await().atMost(WAIT).until(() -> !fx.client.events(j -> requestId.equals(j.path("request_id").asString(null))
                && j.path("event").asString().endsWith(".end")).isEmpty());
        assertThat(fx.client.events(j -> requestId.equals(j.path("request_id").asString(null))))
                .allSatisfy(e -> assertThat(new String(e.body(), StandardCharsets.UTF_8))
                        .doesNotContain("state_dir").doesNotContain(fx.stateDir.toString()));

        for (String path : List.of("/actuator/health", "/actuator/health/readiness", "/actuator/health/liveness")) {
            String health = fx.get(path).body();
            assertThat(health).as(path).contains("\"status\"")
                    .doesNotContain(fx.stateDir.toString())
                    .doesNotContain(Path.of("").toAbsolutePath().toString())
                    .doesNotContain("\"details\"").doesNotContain("\"path\"");
        }
    }

    @Test
    void limitsFromTheSchemaHoldThroughARealAgent() throws Exception {
        String overflow = "o-" + UUID.randomUUID();
        String overflowUuid = UUID.randomUUID().toString();
        fx.client.command(envelope("spawn", overflow, overflowUuid, "{\"name\":\"o\",\"flavor\":{\"vcpus\":1,"
                + "\"memory_mb\":64,\"root_gb\":0,\"ephemeral_gb\":17179869185},\"image_id\":\"tiny\"}"), overflow);
        String nics = "n-" + UUID.randomUUID();
        String nicsUuid = UUID.randomUUID().toString();
        fx.client.command(envelope("spawn", nics, nicsUuid, "{\"name\":\"n\",\"flavor\":{\"vcpus\":1,"
                + "\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\",\"nics\":" + IntStream.range(0, 17)
                .mapToObj(i -> "{\"type\":\"user\"}").collect(Collectors.joining(",", "[", "]")) + "}"), nics);
        fx.glance.addImage("four-tib", TestImages.emptyQcow2(fx.root.resolve("four-tib.qcow2"), 4L << 40))
                .diskFormat("qcow2");
        String huge = "h-" + UUID.randomUUID();
        String hugeUuid = UUID.randomUUID().toString();
        fx.client.command(envelope("spawn", huge, hugeUuid, "{\"name\":\"h\",\"flavor\":{\"vcpus\":1,"
                + "\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"four-tib\"}"), huge);

        JsonNode overflowReply = fx.client.awaitReply(overflow, WAIT).json();
        JsonNode nicsReply = fx.client.awaitReply(nics, WAIT).json();
        JsonNode hugeReply = fx.client.awaitReply(huge, WAIT).json();

        assertThat(overflowReply.path("event").asString()).as(overflowReply.toString()).isEqualTo("command.rejected");
        assertThat(overflowReply.path("payload").path("reason").asString()).contains("ephemeral_gb", "16384");
        assertThat(nicsReply.path("event").asString()).as(nicsReply.toString()).isEqualTo("command.rejected");
        assertThat(nicsReply.path("payload").path("reason").asString()).contains("nics", "16");
        assertThat(hugeReply.path("event").asString()).as(hugeReply.toString()).isEqualTo("instance.spawn.error");
        assertThat(hugeReply.path("error").path("code").asString()).isEqualTo("INSUFFICIENT_RESOURCES");
        for (String uuid : List.of(overflowUuid, nicsUuid, hugeUuid)) {
            assertThat(Virsh.allDomains()).doesNotContain("instance-" + uuid);
            assertThat(fx.instanceDir(uuid)).doesNotExist();
        }
    }

    @Test
    void messageTextWithLineBreaksNulAndEscapesCannotForgeALogLine() throws Exception {
        String forge = "\\r\\n2026-01-01T00:00:00.000Z  INFO 1 --- [main] x : " + FORGED + "\\u0000\\u001b[2J";
        List<String> ids = new ArrayList<>();
        String unknown = "l1-" + UUID.randomUUID();
        fx.client.command(envelope("hibernate" + forge, unknown, UUID.randomUUID().toString(), "{}"), unknown);
        ids.add(unknown);
        String nic = "l2-" + UUID.randomUUID();
        fx.client.command(envelope("spawn", nic, UUID.randomUUID().toString(), "{\"name\":\"x\",\"flavor\":{"
                + "\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\",\"nics\":[{\"type\":\"bridge\","
                + "\"source\":\"br0" + forge + "\"}]}"), nic);
        ids.add(nic);
        String name = "l3-" + UUID.randomUUID();
        fx.client.command(envelope("spawn", name, UUID.randomUUID().toString(), "{\"name\":\"n" + forge + "\","
                + "\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"no-such-image\","
                + "\"metadata\":{\"k" + forge + "\":\"v" + forge + "\"}}"), name);
        ids.add(name);
        String badIds = "l4-" + UUID.randomUUID();
        fx.client.publish("compute", "compute." + fx.host, ("{\"version\":1,\"request_id\":\"r" + forge
                + "\",\"command\":\"spawn\",\"instance_uuid\":\"" + UUID.randomUUID() + "\",\"args\":{\"name\":\"x\","
                + "\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"i" + forge + "\"}}")
                .getBytes(StandardCharsets.UTF_8), badIds, null);
        ids.add(badIds);
        String wrongHost = "l5-" + UUID.randomUUID();
        fx.client.publish("compute.internal", "compute." + fx.host, envelope("migration.abort", wrongHost,
                UUID.randomUUID().toString(), "{\"source_host\":\"a\",\"reason\":\"" + forge + "\"}")
                .getBytes(StandardCharsets.UTF_8), wrongHost, Map.of(InternalSignature.KEY_ID, "k\r\n" + FORGED
                + "\u0000\u001b[2J", InternalSignature.SENDER, PEER, InternalSignature.TIMESTAMP, "1",
                InternalSignature.NONCE, "0".repeat(32), InternalSignature.SIGNATURE, "AAAA"));
        ids.add(wrongHost);
        for (String id : ids) {
            fx.client.awaitReply(id, WAIT);
        }
        assertThat(fx.client.awaitReply(name, WAIT).json().path("error").path("code").asString())
                .isEqualTo("IMAGE_NOT_FOUND");

        String log = fx.agent().log();
        assertThat(log).as("the rejections were logged, escaped").contains("hibernate\\r\\n2026-01-01T00:00:00.000Z");
        assertThat(log.split("\r\n|\r|\n")).as("no line starts with the forged text")
                .noneMatch(line -> line.startsWith("2026-01-01T00:00:00.000Z") || line.contains(" : " + FORGED)
                        && !line.contains("\\r\\n"));
        assertThat(log).as("no NUL, no ESC").doesNotContain("\u0000").doesNotContain("\u001b");
        for (String id : ids) {
            fx.client.events(j -> id.equals(j.path("request_id").asString(null))).forEach(e -> assertThat(
                    e.json().path("error").path("message").asString("")).doesNotContain("\r").doesNotContain("\n"));
        }
        assertThat(fx.client.events(j -> "command.rejected".equals(j.path("event").asString())))
                .allSatisfy(e -> assertThat(e.json().path("payload").path("reason").asString())
                        .doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0000").doesNotContain("\u001b"));
    }

    @Test
    void withoutAKeyInternalCommandsAreRefusedAndMigrateFailsNamingTheMissingKey() throws Exception {
        try (AgentFixture keyless = new AgentFixture()) {
            keyless.startAgent();
            UUID uuid = UUID.randomUUID();
            String check = "k1-" + uuid;
            keyless.client.internalCommand(envelope("migration.check", check, uuid.toString(), "{\"source_host\":\""
                    + PEER + "\",\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},\"image_id\":\"tiny\"}"),
                    check, PEER, peer);
            String migrate = "k2-" + uuid;
            keyless.client.command(envelope("migrate", migrate, uuid.toString(), "{\"destination\":\"" + fx.host
                    + "\"}"), migrate);

            JsonNode refused = keyless.client.awaitReply(check, WAIT).json();
            JsonNode failed = keyless.client.awaitReply(migrate, WAIT).json();

            assertThat(refused.path("event").asString()).as(refused.toString()).isEqualTo("command.rejected");
            assertThat(refused.path("payload").path("reason").asString()).contains("agent.internal-auth");
            assertThat(failed.path("event").asString()).as(failed.toString()).isEqualTo("instance.migrate.error");
            assertThat(failed.path("error").path("code").asString()).isEqualTo("MIGRATION_FAILED");
            assertThat(failed.path("error").path("message").asString())
                    .contains("agent.internal-auth.keys-dir", "agent.internal-auth.key");
            assertThat(keyless.agent().log()).contains("no key for agent-to-agent commands")
                    .doesNotContain(TestKeys.SECRET);
        }
        assertThat(fx.agent().log()).as("the key is never logged").doesNotContain(TestKeys.SECRET);
    }

    /** Publishes a signed internal command from {@link #PEER} and waits for its reply. */
    private static JsonNode internal(String command, String requestId, UUID uuid, String args) throws Exception {
        fx.client.internalCommand(envelope(command, requestId, uuid.toString(), args), requestId, PEER, peer);
        return fx.client.awaitReply(requestId, WAIT).json();
    }

    private static void assertRejected(String correlationId, String reason) {
        JsonNode reply = fx.client.awaitReply(correlationId, WAIT).json();
        assertThat(reply.path("event").asString()).as(reply.toString()).isEqualTo("command.rejected");
        assertThat(reply.path("error").path("code").asString()).isEqualTo("INVALID_COMMAND");
        assertThat(reply.path("payload").path("reason").asString()).as(reply.toString()).contains(reason);
    }

    /** The adopt the old contract accepted: a raw definition with the agent's metadata, a host file and QEMU args. */
    private static byte[] hostileAdopt(UUID uuid, String requestId) {
        return envelope("migration.adopt", requestId, uuid.toString(), "{\"source_host\":\"" + PEER
                + "\",\"definition\":{\"format\":\"libvirt-domain-xml\",\"document\":"
                + AgentFixture.json(hostileXml(uuid, PEER)) + "}}").getBytes(StandardCharsets.UTF_8);
    }

    private static String hostileXml(UUID uuid, String owner) {
        // the agent's own metadata element, in its namespace: what the old check took for proof of ownership
        String metadata = AgentMetadata.renderElement(new InstanceMetadata("evil", new Flavor(1, 64, 0, 0), "tiny",
                owner, Map.of(), Map.of())).replaceFirst("<instance", "<instance xmlns=\"" + AgentMetadata.NAMESPACE + "\"");
        return "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>instance-" + uuid
                + "</name><uuid>" + uuid + "</uuid><metadata>" + metadata + "</metadata>"
                + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                + "<source file='/etc/hostname'/><target dev='vda' bus='virtio'/></disk></devices>"
                + "<qemu:commandline><qemu:arg value='-no-user-config'/></qemu:commandline></domain>";
    }

    private static void undefineIfPresent(List<UUID> uuids) {
        List<String> present = Virsh.allDomains();
        for (UUID uuid : uuids) {
            String name = "instance-" + uuid;
            if (present.contains(name)) {
                try {
                    Virsh.run("destroy", name);
                } catch (IllegalStateException notRunning) {
                    // defined only
                }
                Virsh.run("undefine", name);
            }
        }
    }
}

package dev.computeagent.agent.e2e;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.security.InternalSignature;
import dev.computeagent.agent.testing.TestKeys;
import dev.computeagent.virt.libvirt.testing.Virsh;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A corpus of {@value #CORPUS} mutated envelopes (fixed seed: bit flips, truncations, type swaps, huge
 * numbers, unicode and invalid UTF-8, deep nesting, wrong hosts and exchanges, signed and unsigned, for
 * every command including {@code migration.*}) published to a real agent JVM (real libvirtd, real
 * RabbitMQ) holding the agents' key. Every message carries its own {@code correlation_id}, so the
 * agent's one answer to each (a final event or {@code command.rejected}) is matched to it. Then: the
 * consumer still runs; every rejected message is in the dead-letter queue byte for byte, each with one
 * {@code command.rejected} event; every accepted one got exactly one final event; what is certainly
 * invalid was rejected and the untouched baselines were not; no domain was defined by any of them; and a
 * valid spawn still works.
 */
class FuzzedEnvelopesLibvirtRabbitMqTest {

    static final int CORPUS = 2_000;
    static final long SEED = 20_261_206L;
    static final Duration WAIT = Duration.ofSeconds(120);
    static final String PEER = "fuzz-peer";
    static final String[] COMMANDS = {"spawn", "start", "stop", "reboot", "delete", "migrate", "migration.check",
        "migration.prepare", "migration.adopt", "migration.abort"};
    static final JsonMapper JSON = AgentJson.mapper();

    /** Whether a mutation makes a message invalid for sure, keeps it valid for sure, or either. */
    enum Expect { REJECTED, ACCEPTED, EITHER }

    /** One message of the corpus as published. */
    record Fuzz(String correlationId, String kind, String exchange, String routingKey, byte[] body,
                Map<String, Object> headers, Expect expect, UUID uuid) {
    }

    static AgentFixture fx;
    static InternalSignature peer;
    static String foreignKey;

    @BeforeAll
    static void startAgent() throws Exception {
        fx = new AgentFixture();
        fx.startAgent(TestKeys.agentProperties());
        peer = TestKeys.signature();
        // a foreign host's routing key bound to this agent's queue: misrouted messages reach it
        foreignKey = "compute.fuzz-other-" + fx.host;
        fx.client.channel().queueBind("compute." + fx.host, "compute", foreignKey);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (fx != null) {
            fx.client.channel().queueUnbind("compute." + fx.host, "compute", foreignKey);
            fx.close();
        }
    }

    @Test
    void twoThousandMutatedEnvelopesAreEachAnsweredOnceAndRejectsLandIntactInTheDeadLetterQueue() throws Exception {
        List<Fuzz> corpus = new Corpus(new Random(SEED)).build(CORPUS);
        long started = System.nanoTime();

        for (Fuzz fuzz : corpus) {
            fx.client.publish(fuzz.exchange(), fuzz.routingKey(), fuzz.body(), fuzz.correlationId(), fuzz.headers());
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> corpus.stream().allMatch(f -> fx.client.repliesWith(f.correlationId()) > 0));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        List<Fuzz> rejected = new ArrayList<>();
        Map<String, Integer> acceptedPerRequest = new HashMap<>();
        for (Fuzz fuzz : corpus) {
            assertThat(fx.client.repliesWith(fuzz.correlationId())).as("one answer to " + fuzz.kind()).isEqualTo(1);
            JsonNode reply = fx.client.reply(fuzz.correlationId()).orElseThrow().json();
            String event = reply.path("event").asString();
            if (event.equals("command.rejected")) {
                assertThat(fuzz.expect()).as(fuzz.kind() + " rejected: " + reply.path("payload").path("reason"))
                        .isNotEqualTo(Expect.ACCEPTED);
                assertThat(reply.path("error").path("code").asString()).isEqualTo("INVALID_COMMAND");
                rejected.add(fuzz);
            } else {
                assertThat(fuzz.expect()).as(fuzz.kind() + " accepted: " + reply).isNotEqualTo(Expect.REJECTED);
                assertThat(event).as(fuzz.kind()).matches("instance\\.[a-z.]+\\.(end|error)");
                acceptedPerRequest.merge(reply.path("request_id").asString(), 1, Integer::sum);
            }
        }
        assertThat(rejected.size()).as("a corpus that exercises both paths")
                .isBetween(CORPUS / 4, CORPUS - CORPUS / 10);

        List<byte[]> dead = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            dead.addAll(fx.client.drainDeadLetters());
            return dead.size() >= rejected.size();
        });
        assertThat(sorted(dead)).as("every rejected message dead-lettered, byte for byte, and nothing else")
                .containsExactlyElementsOf(sorted(rejected.stream().map(Fuzz::body).toList()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(fx.client.events(
                j -> "command.rejected".equals(j.path("event").asString()))).hasSize(rejected.size()));
        await().atMost(WAIT).untilAsserted(() -> acceptedPerRequest.forEach((requestId, count) ->
                assertThat(fx.client.events(j -> requestId.equals(j.path("request_id").asString(null))
                        && j.path("event").asString().matches("instance\\..+\\.(end|error)")))
                        .as("final events of " + requestId).hasSize(count)));

        List<String> domains = Virsh.allDomains();
        assertThat(corpus).noneMatch(f -> domains.contains("instance-" + f.uuid()));
        assertThat(fx.agent().alive()).isTrue();
        assertThat(fx.client.consumers()).isEqualTo(1);
        assertThat(took).as("the corpus runs in well under two minutes").isLessThan(WAIT);

        String uuid = UUID.randomUUID().toString();
        String spawn = "after-" + uuid;
        fx.client.command(envelope("spawn", spawn, uuid, AgentFixture.spawnArgs("after the fuzz",
                AgentFixture.TINY, 0, "{}")), spawn);
        JsonNode spawned = fx.client.awaitReply(spawn, WAIT).json();
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        assertThat(spawned.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        String delete = "delete-" + uuid;
        fx.client.command(envelope("delete", delete, uuid, "{}"), delete);
        assertThat(fx.client.awaitReply(delete, WAIT).json().path("event").asString()).isEqualTo("instance.delete.end");
        System.out.printf("fuzz: %d envelopes, %d rejected, %d accepted, answered in %d ms; rejected by kind: %s%n",
                corpus.size(), rejected.size(), corpus.size() - rejected.size(), took.toMillis(),
                rejected.stream().collect(Collectors.groupingBy(f -> f.kind().replaceAll(" [a-z.]+$", "")
                        .replaceAll(" [0-9]+", ""), TreeMap::new, Collectors.counting())));
    }

    private static List<String> sorted(List<byte[]> bodies) {
        return bodies.stream().map(HexFormat.of()::formatHex).sorted().collect(Collectors.toList());
    }

    /** The deterministic corpus: a valid base envelope per command, then one mutation. */
    static final class Corpus {
        private final Random random;

        Corpus(Random random) {
            this.random = random;
        }

        List<Fuzz> build(int size) {
            List<Fuzz> corpus = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                corpus.add(one(i));
            }
            return corpus;
        }

        private Fuzz one(int i) {
            String command = COMMANDS[i % COMMANDS.length];
            boolean internal = command.startsWith("migration.");
            UUID uuid = new UUID(random.nextLong(), random.nextLong());
            UUID canonical = UUID.fromString(uuid.toString());
            ObjectNode envelope = (ObjectNode) JSON.readTree(envelope(command, "fz-" + i, canonical.toString(),
                    args(command).toString()));
            String correlationId = "fz-c-" + i;
            String key = "compute." + fx.host;
            int mutation = random.nextInt(14);
            return switch (mutation) {
                case 0 -> signedIfInternal(correlationId, "baseline " + command, bytes(envelope), internal,
                        Expect.ACCEPTED, canonical, key);
                case 1 -> {
                    byte[] body = bytes(envelope);
                    for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                        body[random.nextInt(body.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                    yield signedIfInternal(correlationId, "bit flip " + command, body, internal, Expect.EITHER,
                            canonical, key);
                }
                case 2 -> {
                    byte[] body = bytes(envelope);
                    yield signedIfInternal(correlationId, "truncation " + command,
                            Arrays.copyOf(body, random.nextInt(body.length)), internal, Expect.REJECTED, canonical,
                            key);
                }
                case 3 -> {
                    swapType(envelope);
                    yield signedIfInternal(correlationId, "type swap " + command, bytes(envelope), internal,
                            Expect.EITHER, canonical, key);
                }
                case 4 -> {
                    hugeNumber(envelope);
                    yield signedIfInternal(correlationId, "huge number " + command, bytes(envelope), internal,
                            Expect.EITHER, canonical, key);
                }
                case 5 -> {
                    unicode(envelope);
                    yield signedIfInternal(correlationId, "unicode " + command, bytes(envelope), internal,
                            Expect.EITHER, canonical, key);
                }
                case 6 -> {
                    byte[] body = bytes(envelope);
                    int at = random.nextInt(body.length);
                    byte[] broken = new byte[body.length + 2];
                    System.arraycopy(body, 0, broken, 0, at);
                    broken[at] = (byte) (0xc0 | random.nextInt(2));
                    broken[at + 1] = (byte) 0xff;
                    System.arraycopy(body, at, broken, at + 2, body.length - at);
                    yield signedIfInternal(correlationId, "invalid UTF-8 " + command, broken, internal,
                            Expect.REJECTED, canonical, key);
                }
                case 7 -> {
                    int depth = 450 + random.nextInt(600);
                    String deep = "\"deep\":" + "[".repeat(depth) + "]".repeat(depth);
                    String text = bytesText(envelope);
                    String body = text.contains("\"args\":{}") ? text.replace("\"args\":{}", "\"args\":{" + deep + "}")
                            : text.replace("\"args\":{", "\"args\":{" + deep + ",");
                    // the parser refuses documents nested deeper than 500 levels
                    yield signedIfInternal(correlationId, "deep nesting " + depth + " " + command,
                            body.getBytes(StandardCharsets.UTF_8), internal,
                            depth > 520 ? Expect.REJECTED : Expect.EITHER, canonical, key);
                }
                case 8 -> wrongHost(correlationId, command, envelope, internal, canonical, key);
                case 9 -> {
                    // the other exchange: migration.* on compute, a public command on compute.internal
                    byte[] body = bytes(envelope);
                    String exchange = internal ? "compute" : "compute.internal";
                    Map<String, Object> headers = random.nextBoolean()
                            ? peer.sign(PEER, fx.host, fx.client.replyQueue(), correlationId, body) : null;
                    yield new Fuzz(correlationId, "wrong exchange " + command, exchange, key, body, headers,
                            Expect.REJECTED, canonical);
                }
                case 10 -> {
                    // internal and unsigned, or a public command as is
                    byte[] body = bytes(envelope);
                    yield new Fuzz(correlationId, "unsigned " + command, internal ? "compute.internal" : "compute",
                            key, body, null, internal ? Expect.REJECTED : Expect.ACCEPTED, canonical);
                }
                case 11 -> {
                    envelope.put("version", new int[] {0, 2, 99}[random.nextInt(3)]);
                    yield signedIfInternal(correlationId, "version " + command, bytes(envelope), internal,
                            Expect.REJECTED, canonical, key);
                }
                case 12 -> {
                    String[] garbage = {"", "null", "[]", "\"spawn\"", "42", "{", "not json at all", "{}{}",
                        "{\"version\":1}"};
                    byte[] body = garbage[random.nextInt(garbage.length)].getBytes(StandardCharsets.UTF_8);
                    yield signedIfInternal(correlationId, "garbage " + command, body, internal, Expect.REJECTED,
                            canonical, key);
                }
                default -> {
                    dropOrAdd(envelope);
                    yield signedIfInternal(correlationId, "field " + command, bytes(envelope), internal,
                            Expect.EITHER, canonical, key);
                }
            };
        }

        /** Internal commands signed by the peer agent after the mutation (so their content is fuzzed too). */
        private Fuzz signedIfInternal(String correlationId, String kind, byte[] body, boolean internal, Expect expect,
                                      UUID uuid, String key) {
            if (!internal) {
                return new Fuzz(correlationId, kind, "compute", key, body, null, expect, uuid);
            }
            return new Fuzz(correlationId, kind, "compute.internal", key, body,
                    peer.sign(PEER, fx.host, fx.client.replyQueue(), correlationId, body), expect, uuid);
        }

        private Fuzz wrongHost(String correlationId, String command, ObjectNode envelope, boolean internal, UUID uuid,
                               String key) {
            switch (random.nextInt(4)) {
                case 0:
                    // another host's routing key that reaches this queue through a foreign binding
                    return new Fuzz(correlationId, "misrouted " + command, "compute", foreignKey, bytes(envelope),
                            null, Expect.REJECTED, uuid);
                case 1:
                    if (internal) {
                        // signed for another agent, replayed to this one
                        byte[] body = bytes(envelope);
                        return new Fuzz(correlationId, "signed for another host " + command, "compute.internal", key,
                                body, peer.sign(PEER, "someone-else", fx.client.replyQueue(), correlationId, body),
                                Expect.REJECTED, uuid);
                    }
                    ((ObjectNode) envelope.get("args")).put("destination", fx.host);
                    return new Fuzz(correlationId, "destination is this host " + command, "compute", key,
                            bytes(envelope), null, command.equals("migrate") ? Expect.REJECTED : Expect.EITHER, uuid);
                case 2:
                    if (internal) {
                        // source_host names another agent than the signer: refused by the handler, not rejected
                        ((ObjectNode) envelope.get("args")).put("source_host", "not-the-signer");
                    } else {
                        ((ObjectNode) envelope.get("args")).put("destination", "../" + fx.host);
                    }
                    return signedIfInternal(correlationId, "other host named " + command, bytes(envelope), internal,
                            Expect.EITHER, uuid, key);
                default:
                    if (internal) {
                        // signed by a key of the cloud as this very host: authentic, and then judged by its content
                        ((ObjectNode) envelope.get("args")).put("source_host", fx.host);
                        byte[] body = bytes(envelope);
                        return new Fuzz(correlationId, "signed as this host " + command, "compute.internal", key,
                                body, peer.sign(fx.host, fx.host, fx.client.replyQueue(), correlationId, body),
                                Expect.EITHER, uuid);
                    }
                    return new Fuzz(correlationId, "misrouted public " + command, "compute", foreignKey,
                            bytes(envelope), null, Expect.REJECTED, uuid);
            }
        }

        private ObjectNode args(String command) {
            ObjectNode a = JsonNodeFactory.instance.objectNode();
            ObjectNode flavor = JsonNodeFactory.instance.objectNode().put("vcpus", 1).put("memory_mb", 64)
                    .put("root_gb", 0);
            switch (command) {
                case "spawn" -> {
                    a.put("name", "fuzz").set("flavor", flavor);
                    a.put("image_id", "fuzz-missing");
                    a.putArray("nics").addObject().put("type", "user").put("mac", "52:54:00:00:00:01");
                    a.putObject("metadata").put("k", "v");
                    a.put("user_data", "I2Nsb3VkLWNvbmZpZwo=");
                }
                case "stop" -> a.put("timeout_s", 0);
                case "reboot" -> a.put("hard", true);
                case "migrate" -> a.put("destination", "fuzz-nowhere").put("live", true).put("max_downtime_ms", 300);
                case "migration.check" -> {
                    a.put("source_host", PEER).set("flavor", flavor);
                    a.put("image_id", "fuzz-missing");
                }
                case "migration.prepare" -> {
                    a.put("source_host", PEER).put("name", "fuzz").set("flavor", flavor);
                    a.put("image_id", "fuzz-missing").put("block_migration", false);
                }
                case "migration.adopt" -> {
                    a.put("source_host", PEER).put("migrate_request_id", "fz-m").put("start", false);
                    if (random.nextBoolean()) {
                        ObjectNode instance = a.putObject("instance");
                        instance.put("name", "fuzz").set("flavor", flavor.deepCopy());
                        instance.put("image_id", "fuzz-missing");
                        instance.putArray("nics").addObject().put("type", "user");
                    }
                }
                case "migration.abort" -> a.put("source_host", PEER).put("reason", "fuzz");
                default -> {
                    // start, delete: no arguments
                }
            }
            return a;
        }

        /** Some node of the envelope, with its parent, chosen at random. */
        private record Slot(ObjectNode parent, String field) {
        }

        private Slot anySlot(ObjectNode root) {
            List<Slot> slots = new ArrayList<>();
            collect(root, slots);
            return slots.get(random.nextInt(slots.size()));
        }

        private static void collect(ObjectNode node, List<Slot> slots) {
            for (String field : node.propertyNames()) {
                slots.add(new Slot(node, field));
                JsonNode child = node.get(field);
                if (child instanceof ObjectNode object) {
                    collect(object, slots);
                } else if (child instanceof ArrayNode array) {
                    for (JsonNode element : array) {
                        if (element instanceof ObjectNode object) {
                            collect(object, slots);
                        }
                    }
                }
            }
        }

        private void swapType(ObjectNode envelope) {
            Slot slot = anySlot(envelope);
            JsonNode current = slot.parent().get(slot.field());
            JsonNodeFactory f = JsonNodeFactory.instance;
            List<JsonNode> others = new ArrayList<>(List.of(f.stringNode("1"), f.numberNode(1), f.booleanNode(true),
                    f.nullNode(), f.arrayNode().add(1), f.objectNode().put("x", 1), f.numberNode(1.5)));
            others.removeIf(o -> o.getNodeType() == current.getNodeType());
            slot.parent().set(slot.field(), others.get(random.nextInt(others.size())));
        }

        private void hugeNumber(ObjectNode envelope) {
            Slot slot = anySlot(envelope);
            String[] numbers = {"1e400", "9223372036854775808", "-9223372036854775809", "17179869185",
                "99999999999999999999999999999999999999", "-1", "0", "2147483648", "1.0e2", "-0"};
            slot.parent().set(slot.field(), JSON.readTree(numbers[random.nextInt(numbers.length)]));
        }

        private void unicode(ObjectNode envelope) {
            Slot slot = anySlot(envelope);
            String[] pieces = {"\u202e", "\u0000", "\u001b[2J", "\r\nFORGED", "\ud83d\ude00",
                "\u2028", "ü", "日本語", "\uFEFF", "\u0085", "\\", "\"", "<hostdev/>", "'/><qemu:commandline>"};
            JsonNode current = slot.parent().get(slot.field());
            String base = current.isString() ? current.stringValue() : current.toString();
            StringBuilder text = new StringBuilder(base);
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                text.insert(random.nextInt(text.length() + 1), pieces[random.nextInt(pieces.length)]);
            }
            slot.parent().put(slot.field(), text.toString());
        }

        private void dropOrAdd(ObjectNode envelope) {
            Slot slot = anySlot(envelope);
            if (random.nextBoolean()) {
                slot.parent().remove(slot.field());
            } else {
                slot.parent().put("unknown_" + random.nextInt(100), "x".repeat(random.nextInt(5000)));
            }
        }

        private static byte[] bytes(ObjectNode envelope) {
            return bytesText(envelope).getBytes(StandardCharsets.UTF_8);
        }

        private static String bytesText(ObjectNode envelope) {
            return JSON.writeValueAsString(envelope);
        }
    }
}

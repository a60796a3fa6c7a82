package dev.computeagent.agent.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.migration.ArrivalNotice;
import dev.computeagent.agent.migration.DestinationUnreachableException;
import dev.computeagent.agent.migration.ExpectedNotice;
import dev.computeagent.agent.migration.MigrationReply;
import dev.computeagent.agent.security.InternalSignature;
import dev.computeagent.agent.security.KeyRing;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.agent.testing.TestKeys;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.testing.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The internal request/reply against the real broker, with a scripted destination on its command queue
 * bound to {@code compute.internal}: what the source publishes is signed for that destination. An arrival notice
 * asked for in a prepare is sent by the destination's own sender ({@link ArrivalNoticeReplies}).
 */
class AmqpDestinationClientRabbitMqTest {

    private final String destination = "dest-" + UUID.randomUUID().toString().substring(0, 8);
    private final UUID instance = UUID.randomUUID();
    private final List<AMQP.BasicProperties> received = new CopyOnWriteArrayList<>();
    private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    private final List<String> exchanges = new CopyOnWriteArrayList<>();
    private final List<InternalSignature.Verdict> verdicts = new CopyOnWriteArrayList<>();
    private final InternalSignature verifier = TestKeys.signature();
    private CachingConnectionFactory springFactory;
    private Connection connection;
    private Channel channel;
    private AmqpDestinationClient client;

    @BeforeEach
    void connect() throws Exception {
        Prerequisites.requireTcp("RabbitMQ", AmqpTestClient.BROKER_HOST, AmqpTestClient.BROKER_PORT,
                "apt-get install rabbitmq-server (or set RABBITMQ_HOST/RABBITMQ_PORT)");
        ConnectionFactory cf = new ConnectionFactory();
        cf.setHost(AmqpTestClient.BROKER_HOST);
        cf.setPort(AmqpTestClient.BROKER_PORT);
        connection = cf.newConnection("destination-script");
        channel = connection.createChannel();
        springFactory = new CachingConnectionFactory(cf);
        // as the agent configures it (MessagingConfiguration): its channels are publisher-callback channels
        springFactory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        client = new AmqpDestinationClient(springFactory, TestKeys.signature(), "src");
    }

    @AfterEach
    void close() throws Exception {
        // not exclusive (the client's passive check comes from another connection): removed here
        channel.queueDelete("compute." + destination);
        springFactory.destroy();
        connection.close();
    }

    /** A queue named like the destination's, answering each command with {@code reply} (null = never). */
    private void destinationAnswering(String reply) throws Exception {
        channel.exchangeDeclare("compute.internal", "topic", true);
        String queue = "compute." + destination;
        channel.queueDeclare(queue, false, false, true, null);
        channel.queueBind(queue, "compute.internal", queue);
        channel.basicConsume(queue, true, (tag, delivery) -> {
            received.add(delivery.getProperties());
            exchanges.add(delivery.getEnvelope().getExchange());
            verdicts.add(verifier.verify(new HashMap<>(delivery.getProperties().getHeaders()), destination,
                    delivery.getProperties().getReplyTo(), delivery.getProperties().getCorrelationId(),
                    delivery.getBody(), false));
            bodies.add(AgentJson.mapper().readTree(delivery.getBody()));
            if (reply != null) {
                channel.basicPublish("", delivery.getProperties().getReplyTo(), new AMQP.BasicProperties.Builder()
                        .correlationId(delivery.getProperties().getCorrelationId()).build(),
                        reply.getBytes(StandardCharsets.UTF_8));
            }
        }, tag -> { });
    }

    private MigrationReply call(Duration timeout) {
        return client.call(destination, CommandName.MIGRATION_CHECK, "req-1.check", instance,
                new MigrationCheckArgs("src", new Flavor(1, 64, 0, 0), "tiny", null), timeout);
    }

    @Test
    void aSuccessfulReplyCarriesItsPayloadAndTheCommandTheEnvelope() throws Exception {
        destinationAnswering("{\"version\":1,\"event\":\"instance.migration.check.end\",\"host\":\"d\","
                + "\"timestamp\":\"2026-11-22T00:00:00Z\",\"request_id\":\"req-1.check\",\"instance_uuid\":null,"
                + "\"payload\":{\"shared_storage\":true,\"migration_uri\":\"qemu+tcp://d/system\"},\"error\":null}");

        MigrationReply reply = call(Duration.ofSeconds(5));

        assertThat(reply.failed()).isFalse();
        assertThat(reply.flag("shared_storage")).isTrue();
        assertThat(reply.string("migration_uri")).contains("qemu+tcp://d/system");
        JsonNode sent = bodies.get(0);
        assertThat(sent.path("command").asString()).isEqualTo("migration.check");
        assertThat(sent.path("request_id").asString()).isEqualTo("req-1.check");
        assertThat(sent.path("instance_uuid").asString()).isEqualTo(instance.toString());
        assertThat(sent.path("args").path("source_host").asString()).isEqualTo("src");
        assertThat(received.get(0).getExpiration()).isEqualTo("5000");
        assertThat(received.get(0).getDeliveryMode()).isEqualTo(2);
        assertThat(exchanges).containsExactly("compute.internal");
        assertThat(verdicts).as("signed by src with the shared key, for this destination")
                .containsExactly(new InternalSignature.Verdict.Authentic("src"));
        assertThat(received.get(0).getHeaders().toString()).doesNotContain(TestKeys.SECRET);
    }

    private static final String PREPARED = "{\"version\":1,\"event\":\"instance.migration.prepare.end\",\"host\":\"d\","
            + "\"timestamp\":\"2026-11-22T00:00:00Z\",\"request_id\":\"req-1.prepare\",\"instance_uuid\":null,"
            + "\"payload\":{\"migration_uri\":\"qemu+tcp://d/system\"},\"error\":null}";

    private MigrationReply prepare(ExpectedNotice notice) {
        return client.call(destination, CommandName.MIGRATION_PREPARE, "req-1.prepare", instance,
                new MigrationPrepareArgs("src", "web-1", new Flavor(1, 64, 0, 0), "tiny", false, null, null, null, null)
                        .withArrivalNotice(notice.id()), Duration.ofSeconds(5));
    }

    /** The notice the destination was asked for in the {@code n}th command, as its prepare handler records it. */
    private ArrivalNotice asked(int n) {
        return new ArrivalNotice(received.get(n).getReplyTo(), bodies.get(n).path("args").path("arrival_notice")
                .asString(), bodies.get(n).path("request_id").asString());
    }

    /** The destination's own sender of arrival notices, over the agent's publisher. */
    private ArrivalNoticeReplies destinationNotices() {
        return new ArrivalNoticeReplies(new EventPublisher(new RabbitTemplate(springFactory), destination,
                Clock.systemUTC(), Duration.ofSeconds(10)));
    }

    @Test
    void anArrivalNoticeReachesTheSourceAtTheAddressAndIdItsPrepareGave() throws Exception {
        destinationAnswering(PREPARED);
        try (ExpectedNotice notice = client.expectNotice()) {
            assertThat(prepare(notice).failed()).isFalse();
            assertThat(notice.received()).as("nothing before the destination sends it").isEmpty();
            ArrivalNotice asked = asked(0);
            assertThat(asked.correlationId()).isEqualTo(notice.id());

            boolean sent = destinationNotices().send(asked, instance, Map.of("state", "ACTIVE", "power_state",
                    "RUNNING", "host", destination));

            assertThat(sent).isTrue();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(notice.received())
                    .hasValueSatisfying(r -> assertThat(r.payload()).containsEntry("host", destination)
                            .containsEntry("state", "ACTIVE")));
        }
    }

    @Test
    void anArrivalNoticeNoLongerAwaitedIsDroppedAndLeavesTheNextCallAlone() throws Exception {
        destinationAnswering(PREPARED);
        ArrivalNotice asked;
        try (ExpectedNotice notice = client.expectNotice()) {
            prepare(notice);
            asked = asked(0);
        }

        assertThat(destinationNotices().send(asked, instance, Map.of("state", "ACTIVE"))).isTrue();

        try (ExpectedNotice next = client.expectNotice()) {
            assertThat(prepare(next).string("migration_uri")).contains("qemu+tcp://d/system");
            assertThat(next.received()).as("the earlier notice is not this one").isEmpty();
        }
    }

    @Test
    void anAgentWithoutAKeyCannotSendAndSaysWhichKeyIsMissing() {
        AmqpDestinationClient keyless = new AmqpDestinationClient(springFactory,
                new InternalSignature(KeyRing.empty(), Clock.systemUTC(), Duration.ofMinutes(15)), "src");

        assertThat(keyless.unavailable()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("agent.internal-auth.keys-dir", "agent.internal-auth.key"));
        assertThat(client.unavailable()).isEmpty();
    }

    @Test
    void callsAfterAnUnknownDestinationStillGetTheirOwnReplies() throws Exception {
        // the failed passive declare closes a cached channel; the calls that follow must not notice
        assertThatThrownBy(() -> call(Duration.ofSeconds(5))).isInstanceOf(DestinationUnreachableException.class);
        destinationAnswering("{\"version\":1,\"event\":\"instance.migration.check.end\",\"host\":\"d\","
                + "\"timestamp\":\"2026-11-22T00:00:00Z\",\"request_id\":\"req-1.check\",\"instance_uuid\":null,"
                + "\"payload\":{\"n\":1},\"error\":null}");

        for (int i = 0; i < 20; i++) {
            assertThat(call(Duration.ofSeconds(5)).payload()).as("call " + i).containsEntry("n", 1);
        }
        assertThat(received).hasSize(20);
        assertThat(received).extracting(AMQP.BasicProperties::getReplyTo)
                .allMatch(r -> r.startsWith(AmqpDestinationClient.DIRECT_REPLY_TO));
        assertThat(received).extracting(AMQP.BasicProperties::getCorrelationId).doesNotHaveDuplicates();
    }

    @Test
    void aRefusalIsAReplyWithTheDestinationsError() throws Exception {
        destinationAnswering("{\"version\":1,\"event\":\"instance.migration.check.error\",\"host\":\"d\","
                + "\"timestamp\":\"2026-11-22T00:00:00Z\",\"request_id\":\"req-1.check\",\"instance_uuid\":null,"
                + "\"payload\":{},\"error\":{\"code\":\"INSUFFICIENT_RESOURCES\",\"message\":\"full\",\"retriable\":true}}");

        MigrationReply reply = call(Duration.ofSeconds(5));

        assertThat(reply.failed()).isTrue();
        assertThat(reply.error().code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
        assertThat(reply.error().message()).isEqualTo("full");
        assertThat(reply.error().retriable()).isTrue();
    }

    @Test
    void aDestinationThatNeverAnswersTimesOutWithinTheBound() throws Exception {
        destinationAnswering(null);
        long start = System.nanoTime();

        assertThatThrownBy(() -> call(Duration.ofMillis(800)))
                .isInstanceOfSatisfying(DestinationUnreachableException.class, e -> {
                    assertThat(e.unknownHost()).isFalse();
                    assertThat(e.getMessage()).contains("no answer");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(700), Duration.ofSeconds(5));
        assertThat(received).hasSize(1);
    }

    @Test
    void anUnknownDestinationFailsAtOnceWithoutPublishing() {
        long start = System.nanoTime();

        assertThatThrownBy(() -> call(Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(DestinationUnreachableException.class,
                        e -> assertThat(e.unknownHost()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aDestinationQueueWithoutConsumerFailsAtOnce() throws Exception {
        String queue = "compute." + destination;
        channel.queueDeclare(queue, false, false, true, null);

        assertThatThrownBy(() -> call(Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(DestinationUnreachableException.class, e -> {
                    assertThat(e.unknownHost()).isFalse();
                    assertThat(e.getMessage()).contains("no agent consumes");
                });
        assertThat(channel.messageCount(queue)).as("nothing published").isZero();
    }

    @Test
    void aDestinationWhoseQueueWentAwayAfterAnsweringFailsAtOnce() throws Exception {
        destinationAnswering("{\"payload\":{\"n\":1}}");
        assertThat(call(Duration.ofSeconds(5)).payload()).containsEntry("n", 1);
        channel.queueDelete("compute." + destination);
        long start = System.nanoTime();

        // no passive check this time (it answered a moment ago): the mandatory publish comes back
        assertThatThrownBy(() -> call(Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(DestinationUnreachableException.class, e -> {
                    assertThat(e.unknownHost()).isTrue();
                    assertThat(e.getMessage()).contains("no queue");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(received).hasSize(1);
    }

    @Test
    void concurrentCallsOnTheSharedChannelEachGetAReply() throws Exception {
        destinationAnswering("{\"payload\":{\"n\":1}}");
        List<java.util.concurrent.Future<MigrationReply>> calls = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < 12; i++) {
                calls.add(pool.submit(() -> call(Duration.ofSeconds(10))));
            }
            for (java.util.concurrent.Future<MigrationReply> c : calls) {
                assertThat(c.get(20, java.util.concurrent.TimeUnit.SECONDS).payload()).containsEntry("n", 1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(received).hasSize(12);
        assertThat(received).extracting(AMQP.BasicProperties::getCorrelationId).doesNotHaveDuplicates();
    }

    @Test
    void callsAfterTheClientClosedItsChannelOpenANewOne() throws Exception {
        destinationAnswering("{\"payload\":{\"n\":1}}");
        assertThat(call(Duration.ofSeconds(5)).payload()).containsEntry("n", 1);
        client.close();

        assertThat(call(Duration.ofSeconds(5)).payload()).containsEntry("n", 1);
        assertThat(received).hasSize(2);
    }
}

package dev.computeagent.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.computeagent.agent.amqp.AmqpDestinationClient;
import dev.computeagent.agent.amqp.EventPublisher;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.migration.ArrivalNotice;
import dev.computeagent.agent.migration.ExpectedNotice;
import dev.computeagent.agent.migration.MigrationReply;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.agent.testing.TestKeys;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.testing.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
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
 * The arrival notice on the real broker: the source's {@link AmqpDestinationClient} asks for it in a prepare, a
 * scripted destination answers the prepare, and the destination's own sender ({@link ArrivalNoticeReplies} over
 * the agent's {@link EventPublisher}) later delivers it to the address and correlation id the prepare carried.
 */
class ArrivalNoticeRabbitMqTest {

    private static final String PREPARED = "{\"version\":1,\"event\":\"instance.migration.prepare.end\",\"host\":\"d\","
            + "\"timestamp\":\"2026-11-22T00:00:00Z\",\"request_id\":\"req-1.prepare\",\"instance_uuid\":null,"
            + "\"payload\":{\"migration_uri\":\"qemu+tcp://d/system\"},\"error\":null}";

    private final String destination = "dest-" + UUID.randomUUID().toString().substring(0, 8);
    private final UUID instance = UUID.randomUUID();
    /** The reply address and body of each command the destination received. */
    private final List<AMQP.BasicProperties> received = new CopyOnWriteArrayList<>();
    private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    private Connection connection;
    private Channel channel;
    private CachingConnectionFactory sourceConnections;
    private CachingConnectionFactory destinationConnections;
    private AmqpDestinationClient source;
    private ArrivalNoticeReplies notices;

    @BeforeEach
    void connect() throws Exception {
        Prerequisites.requireTcp("RabbitMQ", AmqpTestClient.BROKER_HOST, AmqpTestClient.BROKER_PORT,
                "apt-get install rabbitmq-server (or set RABBITMQ_HOST/RABBITMQ_PORT)");
        ConnectionFactory cf = new ConnectionFactory();
        cf.setHost(AmqpTestClient.BROKER_HOST);
        cf.setPort(AmqpTestClient.BROKER_PORT);
        connection = cf.newConnection("destination-script");
        channel = connection.createChannel();
        channel.exchangeDeclare("compute.internal", "topic", true);
        String queue = "compute." + destination;
        channel.queueDeclare(queue, false, false, true, null);
        channel.queueBind(queue, "compute.internal", queue);
        channel.basicConsume(queue, true, (tag, delivery) -> {
            received.add(delivery.getProperties());
            bodies.add(AgentJson.mapper().readTree(delivery.getBody()));
            channel.basicPublish("", delivery.getProperties().getReplyTo(), new AMQP.BasicProperties.Builder()
                    .correlationId(delivery.getProperties().getCorrelationId()).build(),
                    PREPARED.getBytes(StandardCharsets.UTF_8));
        }, tag -> { });
        sourceConnections = new CachingConnectionFactory(cf);
        sourceConnections.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        source = new AmqpDestinationClient(sourceConnections, TestKeys.signature(), "src");
        destinationConnections = new CachingConnectionFactory(cf);
        destinationConnections.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        notices = new ArrivalNoticeReplies(new EventPublisher(new RabbitTemplate(destinationConnections), destination,
                Clock.systemUTC(), Duration.ofSeconds(10)));
    }

    @AfterEach
    void close() throws Exception {
        channel.queueDelete("compute." + destination);
        source.close();
        sourceConnections.destroy();
        destinationConnections.destroy();
        connection.close();
    }

    private MigrationReply prepare(ExpectedNotice notice) {
        return source.call(destination, CommandName.MIGRATION_PREPARE, "req-1.prepare", instance,
                new MigrationPrepareArgs("src", "web-1", new Flavor(1, 64, 0, 0), "tiny", false, null, null, null, null)
                        .withArrivalNotice(notice.id()), Duration.ofSeconds(5));
    }

    /** The notice the destination was asked for, as its prepare handler records it. */
    private ArrivalNotice asked() {
        return new ArrivalNotice(received.get(0).getReplyTo(), bodies.get(0).path("args").path("arrival_notice")
                .asString(), bodies.get(0).path("request_id").asString());
    }

    @Test
    void theNoticeReachesTheSourceAtTheAddressAndIdItsPrepareGave() {
        try (ExpectedNotice notice = source.expectNotice()) {
            assertThat(prepare(notice).failed()).isFalse();
            assertThat(notice.received()).as("nothing before the destination sends it").isEmpty();
            ArrivalNotice asked = asked();
            assertThat(asked.correlationId()).isEqualTo(notice.id());

            boolean sent = notices.send(asked, instance, Map.of("state", "ACTIVE", "power_state", "RUNNING",
                    "host", destination));

            assertThat(sent).isTrue();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(notice.received())
                    .hasValueSatisfying(r -> assertThat(r.payload()).containsEntry("host", destination)
                            .containsEntry("state", "ACTIVE")));
        }
    }

    @Test
    void aNoticeNoLongerAwaitedIsDroppedAndLeavesTheNextCallsReplyAlone() {
        ArrivalNotice asked;
        try (ExpectedNotice notice = source.expectNotice()) {
            prepare(notice);
            asked = asked();
        }

        assertThat(notices.send(asked, instance, Map.of("state", "ACTIVE"))).isTrue();

        try (ExpectedNotice next = source.expectNotice()) {
            assertThat(prepare(next).string("migration_uri")).contains("qemu+tcp://d/system");
            assertThat(next.received()).as("the earlier notice is not this one").isEmpty();
        }
    }
}

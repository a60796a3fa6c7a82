package dev.computeagent.agent.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.testing.AmqpTestClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * {@link EventPublisher#announce} on the real broker: the final event and the reply sent together, both confirms
 * awaited, each as {@code publish} and {@code reply} would send it; an event that cannot be encoded goes out
 * neither way.
 */
class EventPublisherAnnounceRabbitMqTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A payload value the encoder cannot write: reading its field fails. */
    public record Unwritable(String value) {
        @Override
        public String value() {
            throw new IllegalStateException("not writable");
        }
    }

    private final String host = "announce-" + UUID.randomUUID().toString().substring(0, 8);
    private AmqpTestClient client;
    private CachingConnectionFactory connections;
    private EventPublisher events;

    @BeforeEach
    void connect() throws Exception {
        client = AmqpTestClient.connect(host);
        connections = new CachingConnectionFactory(AmqpTestClient.BROKER_HOST, AmqpTestClient.BROKER_PORT);
        connections.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        events = new EventPublisher(new RabbitTemplate(connections), host, Clock.systemUTC(), Duration.ofSeconds(10));
    }

    @AfterEach
    void close() throws Exception {
        connections.destroy();
        client.close();
    }

    @Test
    void theEventAndTheReplyGoOutTogetherAndBothAreConfirmed() {
        EventMessage end = events.event("instance.migration.prepare.end", "r-1.prepare", UUID.randomUUID().toString(),
                Map.of("migration_uri", "qemu+tcp://b/system", EventMessage.REPLY_ONLY, Map.of("state_dir", "/srv")),
                null);

        // an agent-to-agent step: its reply goes first
        EventSink.Announced sent = events.announce(end, true, client.replyQueue(), "corr-1", true, true);

        assertThat(sent).isEqualTo(new EventSink.Announced(true, true));
        AmqpTestClient.Received reply = client.awaitReply("corr-1", WAIT);
        assertThat(reply.json().path("payload").path(EventMessage.REPLY_ONLY).path("state_dir").asString())
                .isEqualTo("/srv");
        AmqpTestClient.Received event = await().atMost(WAIT).until(() -> client.events(
                j -> j.path("request_id").asString().equals("r-1.prepare")), l -> !l.isEmpty()).get(0);
        assertThat(event.routingKey()).isEqualTo("instance.migration.prepare.end");
        assertThat(event.json().path("payload").has(EventMessage.REPLY_ONLY)).as("private to the requester").isFalse();
        assertThat(event.json().path("payload").path("migration_uri").asString()).isEqualTo("qemu+tcp://b/system");
    }

    @Test
    void onlyWhatIsAskedIsSentAndWhatIsNotAskedCountsAsConfirmed() {
        EventMessage end = events.event("instance.stop.end", "r-2", UUID.randomUUID().toString(), Map.of(), null);

        assertThat(events.announce(end, false, client.replyQueue(), "corr-2", true, false))
                .isEqualTo(new EventSink.Announced(true, true));
        assertThat(events.announce(end, true, null, null, true, false)).as("no reply address: nothing to reply")
                .isEqualTo(new EventSink.Announced(true, true));

        client.awaitReply("corr-2", WAIT);
        await().atMost(WAIT).until(() -> client.events(j -> j.path("request_id").asString().equals("r-2")).size() == 1);
        assertThat(client.repliesWith("corr-2")).isOne();
    }

    @Test
    void anEventThatCannotBeEncodedGoesOutNeitherWay() {
        EventMessage broken = events.event("instance.stop.end", "r-3", UUID.randomUUID().toString(),
                Map.of("thing", new Unwritable("x")), null);
        EventMessage marker = events.event("instance.stop.end", "r-4", UUID.randomUUID().toString(), Map.of(), null);

        assertThatThrownBy(() -> events.announce(broken, true, client.replyQueue(), "corr-3", true, false))
                .isInstanceOf(IllegalArgumentException.class);
        // a later message on both ways arrives: had the broken one gone out, it would have arrived before it
        events.announce(marker, true, client.replyQueue(), "corr-4", true, false);
        client.awaitReply("corr-4", WAIT);
        await().atMost(WAIT).until(() -> !client.events(j -> j.path("request_id").asString().equals("r-4")).isEmpty());
        assertThat(client.repliesWith("corr-3")).isZero();
        assertThat(client.events(j -> j.path("request_id").asString().equals("r-3"))).isEmpty();
    }
}

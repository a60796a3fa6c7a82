package dev.computeagent.agent.amqp;

import java.util.Map;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;

/**
 * The AMQP topology of the AsyncAPI contract for one host, plus the agents' own exchange
 * {@value #INTERNAL_EXCHANGE} (topic, durable), on which agents send each other the internal
 * {@code migration.*} commands: the command queue is bound to it with the same key, so a broker
 * can give controllers write permission on {@code compute} only. Declared idempotently by Spring's
 * {@code RabbitAdmin} whenever a connection opens, so a restarted broker gets it back.
 */
public final class Topology {

    public static final String COMMANDS_EXCHANGE = "compute";
    public static final String DEAD_LETTER_EXCHANGE = "compute.dlx";
    public static final String EVENTS_EXCHANGE = "compute.events";
    /** Agent-to-agent commands only; see {@link dev.computeagent.agent.security.InternalCommandGate}. */
    public static final String INTERNAL_EXCHANGE = "compute.internal";

    private Topology() {
    }

    public static String commandQueue(String host) {
        return "compute." + host;
    }

    public static String deadLetterQueue(String host) {
        return "compute." + host + ".dead";
    }

    /** The routing key of commands for {@code host}. */
    public static String routingKey(String host) {
        return "compute." + host;
    }

    public static Declarables declarables(String host, int deliveryLimit) {
        TopicExchange commands = new TopicExchange(COMMANDS_EXCHANGE, true, false);
        TopicExchange dlx = new TopicExchange(DEAD_LETTER_EXCHANGE, true, false);
        TopicExchange events = new TopicExchange(EVENTS_EXCHANGE, true, false);
        TopicExchange internal = new TopicExchange(INTERNAL_EXCHANGE, true, false);
        Queue queue = QueueBuilder.durable(commandQueue(host)).quorum()
                .withArguments(Map.of("x-dead-letter-exchange", DEAD_LETTER_EXCHANGE,
                        "x-delivery-limit", deliveryLimit))
                .build();
        Queue dead = QueueBuilder.durable(deadLetterQueue(host)).quorum().build();
        Binding queueBinding = BindingBuilder.bind(queue).to(commands).with(routingKey(host));
        Binding internalBinding = BindingBuilder.bind(queue).to(internal).with(routingKey(host));
        Binding deadBinding = BindingBuilder.bind(dead).to(dlx).with(routingKey(host));
        return new Declarables(commands, dlx, events, internal, queue, dead, queueBinding, internalBinding,
                deadBinding);
    }
}

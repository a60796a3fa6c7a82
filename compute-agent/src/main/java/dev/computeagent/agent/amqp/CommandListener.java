package dev.computeagent.agent.amqp;

import com.rabbitmq.client.Channel;
import dev.computeagent.agent.command.CommandValidator;
import dev.computeagent.agent.command.Validation;
import dev.computeagent.agent.execution.CommandExecutor;
import dev.computeagent.agent.security.InternalCommandGate;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;

/**
 * Receives command messages (manual acknowledgement). Internal {@code migration.*} commands must also
 * pass the {@link InternalCommandGate} (through {@code compute.internal}, signed by another agent). Valid
 * commands go to the
 * {@link CommandExecutor}, which acknowledges them when done; invalid ones get a
 * {@code command.rejected} event (and reply, both with error {@code INVALID_COMMAND}, not retriable)
 * and are then rejected without requeue, so the broker dead-letters them unchanged. A message whose
 * handling fails unexpectedly here is answered the same way, with error {@code INTERNAL_ERROR} (the
 * agent's fault, not the message's). The answers are sent by the {@link RejectionSender}, off this
 * thread: the only consumer never waits for the broker. Never throws, whatever the message.
 */
public final class CommandListener implements ChannelAwareMessageListener {

    private static final Logger log = LoggerFactory.getLogger(CommandListener.class);

    private final CommandValidator validator;
    private final InternalCommandGate gate;
    private final CommandExecutor executor;
    private final EventPublisher events;
    private final RejectionSender rejections;
    private final MeterRegistry meters;
    private volatile boolean accepting = true;

    public CommandListener(CommandValidator validator, InternalCommandGate gate, CommandExecutor executor,
                           EventPublisher events, RejectionSender rejections, MeterRegistry meters) {
        this.validator = validator;
        this.gate = gate;
        this.executor = executor;
        this.events = events;
        this.rejections = rejections;
        this.meters = meters;
    }

    /** From now on, deliveries are left unacknowledged (the broker returns them when the channel closes). */
    public void stopAccepting() {
        accepting = false;
    }

    @Override
    public void onMessage(Message message, Channel channel) {
        MessageProperties props = message.getMessageProperties();
        long tag = props.getDeliveryTag();
        if (!accepting) {
            return;
        }
        try {
            byte[] body = message.getBody() == null ? new byte[0] : message.getBody();
            Validation result = gate.admit(validator.validate(body, props.getReceivedRoutingKey()),
                    new InternalCommandGate.Delivered(body,
                            Topology.INTERNAL_EXCHANGE.equals(props.getReceivedExchange()), props.getHeaders(),
                            Boolean.TRUE.equals(props.isRedelivered()), props.getReplyTo(), props.getCorrelationId()));
            if (result instanceof Validation.Accepted accepted) {
                executor.submit(accepted.command(), new ChannelDelivery(channel, tag, props.getReplyTo(),
                        props.getCorrelationId(), Boolean.TRUE.equals(props.isRedelivered())));
            } else if (result instanceof Validation.Rejected rejected) {
                reject(rejected, message, channel);
            }
        } catch (RuntimeException | Error e) {
            log.error("unexpected failure on delivery {}; answering command.rejected and dead-lettering it", tag, e);
            String reason = "the agent failed while reading this message (" + e.getClass().getSimpleName()
                    + "); it is dead-lettered intact";
            rejections.reject(events.event("command.rejected", null, null, Map.of("reason", reason),
                    new ErrorBody(ErrorCode.INTERNAL_ERROR, reason, false)), message, channel, false);
        }
    }

    private void reject(Validation.Rejected rejected, Message message, Channel channel) {
        log.info("rejecting command message: {}", rejected.reason());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("reason", rejected.reason());
        if (rejected.rawBody() != null) {
            payload.put("raw_body", rejected.rawBody());
        }
        EventMessage event = events.event("command.rejected", rejected.requestId(), rejected.instanceUuid(),
                payload, new ErrorBody(ErrorCode.INVALID_COMMAND, rejected.reason(), false));
        rejections.reject(event, message, channel, rejected.misrouted());
        meters.timer("agent.commands", "command", "unknown", "outcome", "rejected")
                .record(Duration.ZERO);
    }
}

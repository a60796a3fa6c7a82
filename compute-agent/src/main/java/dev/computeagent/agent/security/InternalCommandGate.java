package dev.computeagent.agent.security;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.command.CommandValidator;
import dev.computeagent.agent.command.Validation;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Who may send what. The internal {@code migration.*} commands are admitted only when they came
 * through the agents' own exchange {@code compute.internal} (controllers have no write permission
 * on it) <em>and</em> carry a valid {@link InternalSignature} by another agent of the cloud; the
 * command then carries the authenticated sender. Nothing but {@code migration.*} is admitted
 * through {@code compute.internal}. Everything else passes unchanged. A refusal is a
 * {@link Validation.Rejected}: the message gets {@code command.rejected} and lands in the dead-letter
 * queue like any invalid message. Thread-safe.
 */
public final class InternalCommandGate {

    private final InternalSignature signature;
    private final String host;

    public InternalCommandGate(InternalSignature signature, String host) {
        this.signature = signature;
        this.host = host;
    }

    /**
     * What the listener knows about a delivery besides whether its body is a valid command.
     *
     * @param body                the body as received
     * @param viaInternalExchange it was published to {@code compute.internal}
     * @param headers             its AMQP headers
     * @param redelivered         the broker's redelivered flag
     * @param replyTo             AMQP {@code reply_to}, or null
     * @param correlationId       AMQP {@code correlation_id}, or null
     */
    public record Delivered(byte[] body, boolean viaInternalExchange, Map<String, @Nullable Object> headers,
                            boolean redelivered, @Nullable String replyTo, @Nullable String correlationId) {
    }

    /** {@code validated} as admitted: unchanged, with the authenticated sender, or refused. */
    public Validation admit(Validation validated, Delivered delivered) {
        if (!(validated instanceof Validation.Accepted accepted)) {
            return validated;
        }
        Command<?> command = accepted.command();
        if (!command.name().internal()) {
            return delivered.viaInternalExchange()
                    ? refuse(command, delivered, "only migration.* commands are accepted through compute.internal")
                    : validated;
        }
        if (!delivered.viaInternalExchange()) {
            return refuse(command, delivered, command.name().wireName()
                    + " is an agent-to-agent command: accepted only through the compute.internal exchange, signed");
        }
        InternalSignature.Verdict verdict = signature.verify(delivered.headers(), host, delivered.replyTo(),
                delivered.correlationId(), delivered.body(), delivered.redelivered());
        if (verdict instanceof InternalSignature.Verdict.Refused refused) {
            return refuse(command, delivered, refused.reason());
        }
        String sender = ((InternalSignature.Verdict.Authentic) verdict).sender();
        return new Validation.Accepted(command.sentBy(sender, delivered.replyTo()));
    }

    private static Validation refuse(Command<?> command, Delivered delivered, String reason) {
        return new Validation.Rejected(reason, CommandValidator.readableBody(delivered.body()), command.requestId(),
                command.instanceUuid().toString());
    }
}

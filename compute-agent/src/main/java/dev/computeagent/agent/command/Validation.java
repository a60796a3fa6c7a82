package dev.computeagent.agent.command;

import dev.computeagent.agent.text.Untrusted;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The result of validating one incoming message: a typed command or a typed rejection. */
public sealed interface Validation {

    /** The message is a valid command. */
    record Accepted(Command<?> command) implements Validation {
        public Accepted {
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * The message is refused.
     *
     * @param reason       human-readable cause, naming the offending field; message-derived text in it is
     *                     escaped ({@link Untrusted}), so it is safe for a log line or an event
     * @param rawBody      the body when it was readable UTF-8 text (truncated to 4 KiB), else null
     * @param requestId    the message's request id when it could be read and was valid, else null
     * @param instanceUuid the message's instance uuid when it could be read and was valid, else null
     * @param misrouted    the message carries another host's routing key (it reached this queue through
     *                     a foreign binding), so the broker's dead-lettering would not reach this host's DLQ
     */
    record Rejected(String reason, @Nullable String rawBody, @Nullable String requestId, @Nullable String instanceUuid,
                    boolean misrouted) implements Validation {
        public Rejected {
            reason = Untrusted.text(Objects.requireNonNull(reason, "reason"));
        }

        public Rejected(String reason, @Nullable String rawBody, @Nullable String requestId,
                        @Nullable String instanceUuid) {
            this(reason, rawBody, requestId, instanceUuid, false);
        }
    }
}

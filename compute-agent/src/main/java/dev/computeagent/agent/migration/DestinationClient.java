package dev.computeagent.agent.migration;

import dev.computeagent.agent.message.CommandName;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Request/reply with another agent over its command queue {@code compute.<destination>}, for the
 * internal {@code migration.*} commands. Thread-safe.
 */
public interface DestinationClient {

    /**
     * Sends {@code command} with {@code args} and waits for the destination's final event.
     *
     * @return the reply, successful or not (a refusal is a reply with an error, not an exception)
     * @throws DestinationUnreachableException no reply within {@code timeout}, or no such destination
     */
    MigrationReply call(String destination, CommandName command, String requestId, UUID instanceUuid,
                        Map<String, Object> args, Duration timeout);
}

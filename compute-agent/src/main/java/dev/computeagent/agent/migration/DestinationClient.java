package dev.computeagent.agent.migration;

import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InternalArgs;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Request/reply with another agent over its command queue {@code compute.<destination>}, for the
 * internal {@code migration.*} commands, sent as this agent (signed). Thread-safe.
 */
public interface DestinationClient {

    /**
     * Why this agent cannot send internal commands at all (no key configured), naming what to
     * configure; empty when it can.
     */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /**
     * Sends {@code command} with {@code args} and waits for the destination's final event.
     *
     * @return the reply, successful or not (a refusal is a reply with an error, not an exception)
     * @throws DestinationUnreachableException no reply within {@code timeout}, or no such destination
     */
    MigrationReply call(String destination, CommandName command, String requestId, UUID instanceUuid,
                        InternalArgs args, Duration timeout);

    /**
     * Opens the wait for a notice a destination sends later, on its own, to this agent's reply address; the
     * destination learns the address from the next {@link #call} and the id from that call's arguments. This
     * default receives none.
     */
    default ExpectedNotice expectNotice() {
        return ExpectedNotice.NONE;
    }
}

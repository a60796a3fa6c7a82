package dev.computeagent.agent.journal;

import dev.computeagent.agent.message.EventMessage;
import java.util.Optional;

/**
 * The durable record of completed requests: the final event of every {@code request_id} the
 * agent finished, so a redelivered or repeated command is answered again instead of re-executed.
 * A record, once {@link #record}ed, survives a crash of the process and of the host.
 */
public interface RequestJournal {

    /** The recorded final event of {@code requestId}, if it completed. */
    Optional<EventMessage> find(String requestId);

    /**
     * Records the final event of a request durably (on disk before returning).
     *
     * @throws JournalException the record could not be written; the request counts as not completed
     */
    void record(String requestId, EventMessage finalEvent);
}

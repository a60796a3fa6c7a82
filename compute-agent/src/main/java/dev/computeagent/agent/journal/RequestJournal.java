package dev.computeagent.agent.journal;

import java.util.Optional;

/**
 * The durable record of completed requests: the final event of every {@code request_id} the
 * agent finished, and whether the broker confirmed it, so a redelivered or repeated command is
 * answered again instead of re-executed, and a redelivery of an outcome already out is not published
 * twice. A record, once {@link #record}ed, survives a crash of the process and of the host.
 */
public interface RequestJournal {

    /** The recorded outcome of {@code requestId}, if it completed. */
    Optional<CompletedRequest> find(String requestId);

    /**
     * Records (or updates) the outcome of a request durably (on disk before returning).
     *
     * @throws JournalException the record could not be written; the request counts as not completed
     *                          (or keeps its previous record)
     */
    void record(String requestId, CompletedRequest completed);
}

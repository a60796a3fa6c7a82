package dev.computeagent.agent.migration;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A notice this agent asked another agent for, to arrive at its reply address outside any call's reply
 * ({@link DestinationClient#expectNotice}): its correlation id goes in the request that asks for it. Never
 * blocks. Closed when no longer awaited.
 */
public interface ExpectedNotice extends AutoCloseable {

    /** A client that cannot receive notices: nothing is asked for, nothing arrives. */
    ExpectedNotice NONE = new ExpectedNotice() {
        @Override
        public @Nullable String id() {
            return null;
        }

        @Override
        public Optional<MigrationReply> received() {
            return Optional.empty();
        }

        @Override
        public void close() {
        }
    };

    /** The correlation id to ask for the notice with; null when none can be received. */
    @Nullable String id();

    /** The notice, if a successful one arrived by now. */
    Optional<MigrationReply> received();

    @Override
    void close();
}

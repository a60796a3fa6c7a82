package dev.computeagent.agent.migration;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A notice this agent asked another agent for, to arrive at its reply address outside any call's reply
 * ({@link DestinationClient#expectNotice}): its correlation id goes in the request that asks for it. Whoever
 * receives it completes the future: with the notice, or exceptionally when it can no longer arrive (or could not be
 * read), which {@link #received} reports as nothing, like a notice not come yet. Never blocks. Closed when no
 * longer awaited.
 */
public final class ExpectedNotice implements AutoCloseable {

    /** A client that cannot receive notices: nothing is asked for, nothing arrives. */
    public static final ExpectedNotice NONE = new ExpectedNotice(null, new CompletableFuture<>(), () -> { });

    private final @Nullable String id;
    private final CompletableFuture<MigrationReply> notice;
    private final Runnable forget;

    /** @param forget stops routing notices of {@code id} to {@code notice} */
    public ExpectedNotice(@Nullable String id, CompletableFuture<MigrationReply> notice, Runnable forget) {
        this.id = id;
        this.notice = Objects.requireNonNull(notice, "notice");
        this.forget = Objects.requireNonNull(forget, "forget");
    }

    /** The correlation id to ask for the notice with; null when none can be received. */
    public @Nullable String id() {
        return id;
    }

    /** The notice, if a successful one arrived by now. */
    public Optional<MigrationReply> received() {
        if (!notice.isDone() || notice.isCompletedExceptionally()) {
            return Optional.empty();
        }
        MigrationReply reply = notice.join();
        return reply.failed() ? Optional.empty() : Optional.of(reply);
    }

    @Override
    public void close() {
        forget.run();
    }
}

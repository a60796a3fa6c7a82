package dev.computeagent.agent.migration;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link ExpectedNotice} that whoever receives it completes: with the notice, or exceptionally when it can no
 * longer arrive (or could not be read), which {@link #received} reports as nothing, like a notice not come yet.
 */
public final class AwaitedNotice implements ExpectedNotice {

    private final String id;
    private final CompletableFuture<MigrationReply> notice;
    private final Runnable forget;

    /** @param forget stops routing notices of {@code id} to {@code notice} */
    public AwaitedNotice(String id, CompletableFuture<MigrationReply> notice, Runnable forget) {
        this.id = Objects.requireNonNull(id, "id");
        this.notice = Objects.requireNonNull(notice, "notice");
        this.forget = Objects.requireNonNull(forget, "forget");
    }

    @Override
    public String id() {
        return id;
    }

    @Override
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

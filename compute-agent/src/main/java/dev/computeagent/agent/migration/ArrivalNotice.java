package dev.computeagent.agent.migration;

import java.util.Objects;

/**
 * Where a live migration's source asked to be told that its instance was claimed on its arrival
 * ({@code migration.prepare}'s {@code arrival_notice}): the source's private reply address, the correlation id it
 * waits on, and the prepare's request id the notice names.
 */
public record ArrivalNotice(String replyTo, String correlationId, String requestId) {

    public ArrivalNotice {
        Objects.requireNonNull(replyTo, "replyTo");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(requestId, "requestId");
    }
}

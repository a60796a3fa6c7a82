package dev.computeagent.agent.bench;

import java.util.Map;

/**
 * One measured migration of one guest.
 *
 * @param path      {@code agent} or {@code virsh}
 * @param round     round number (0-based); each round has one hop of each path in each direction
 * @param direction {@code a->b} or {@code b->a}
 * @param wallNanos agent: publish of {@code migrate} to arrival of {@code instance.migrate.end};
 *                  virsh: start to exit of the {@code virsh migrate} process
 * @param job       the destination's completed-job statistics
 * @param phases    agent only: {@link MigrationSteps#phases} in ms (empty for virsh)
 * @param agentMs   agent only: the source agent's own "moved … in N ms" (the driver's wall time), or -1
 */
record Hop(String path, int round, String direction, long wallNanos, CompletedJob job, Map<String, Double> phases,
           long agentMs) {

    double wallMs() {
        return wallNanos / 1e6;
    }
}

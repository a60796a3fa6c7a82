/**
 * The agent's run cycle ({@link dev.computeagent.agent.runcycle.RunCycle}): what happens, in which
 * order, when the agent starts (reconcile with the hypervisor, prune the journal, start the power-state
 * sync and the heartbeat, consume commands) and when it stops (stop taking commands, let running ones
 * finish, then close). Nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.runcycle;

import org.jspecify.annotations.NullMarked;

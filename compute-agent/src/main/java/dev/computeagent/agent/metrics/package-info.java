/**
 * Prometheus gauges and counters read at scrape time: image-cache statistics and instance counts by
 * state. The command and spawn-phase timers are recorded where the work happens (agent core).
 */
@NullMarked
package dev.computeagent.agent.metrics;

import org.jspecify.annotations.NullMarked;

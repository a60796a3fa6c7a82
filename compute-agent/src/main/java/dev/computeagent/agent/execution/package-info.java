/**
 * Running accepted commands: per-instance lanes (one command per instance at a time), the at-least-once
 * executor (journal, {@code .start}, handler, final event, reply, acknowledgement), and the ports it needs
 * from the broker side ({@link dev.computeagent.agent.execution.Delivery}; events go through
 * {@code events.EventSink}). Nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.execution;

import org.jspecify.annotations.NullMarked;

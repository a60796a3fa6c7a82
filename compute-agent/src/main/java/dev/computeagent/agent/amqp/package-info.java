/**
 * The broker side of the agent, its outermost adapter (the AsyncAPI contract): topology, the command
 * listener with manual acknowledgement, confirmed event publishing (the {@code events.EventSink}),
 * rejections to the dead-letter queue, and the client a source agent talks to a destination with
 * (the {@code migration.DestinationClient}). Nothing below this package imports it. Nothing here is null
 * unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.amqp;

import org.jspecify.annotations.NullMarked;

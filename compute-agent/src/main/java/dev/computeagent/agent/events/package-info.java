/**
 * The port through which everything that reports publishes its events ({@link
 * dev.computeagent.agent.events.EventSink}); the broker side implements it, so the executor and the
 * background tasks never import the AMQP layer. Nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.events;

import org.jspecify.annotations.NullMarked;

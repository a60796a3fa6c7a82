/**
 * One handler per controller command ({@code spawn}, {@code start}, {@code stop}, {@code reboot},
 * {@code delete}; {@code migrate} and the internal ones are in {@code migration}), each keyed by its
 * {@link dev.computeagent.agent.message.CommandName} in the {@link dev.computeagent.agent.handler.HandlerRegistry},
 * checked at start-up. Handlers sit on {@code provision}, {@code state} and the driver; they throw
 * {@code failure.CommandFailedException} for their own decisions. Nothing here is null unless annotated
 * {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.handler;

import org.jspecify.annotations.NullMarked;

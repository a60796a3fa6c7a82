/**
 * Validation at the edge: a raw message becomes a typed {@link dev.computeagent.agent.command.Command}
 * (its arguments the wire record of its command, every rule of the contract checked) or a typed
 * rejection. Nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.command;

import org.jspecify.annotations.NullMarked;

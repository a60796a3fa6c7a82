/**
 * Failures as the contract reports them: a handler's own decision ({@link
 * dev.computeagent.agent.failure.CommandFailedException}) and the one mapping of every failure (the
 * driver's, the image cache's, the config drive's, the handlers') to an error code with the truth about
 * whose fault it is ({@link dev.computeagent.agent.failure.ErrorMapper}). Below the handlers, which throw
 * these; the executor maps them. Nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.failure;

import org.jspecify.annotations.NullMarked;

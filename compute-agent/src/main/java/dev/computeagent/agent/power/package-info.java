/**
 * Detection of power-state changes made behind the agent's back. Nothing here is null unless annotated {@code @Nullable}; inputs are validated at the edges.
 */
@NullMarked
package dev.computeagent.agent.power;

import org.jspecify.annotations.NullMarked;

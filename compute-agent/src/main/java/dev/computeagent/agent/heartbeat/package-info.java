/**
 * The periodic host.status event. Nothing here is null unless annotated {@code @Nullable}; inputs are validated at the edges.
 */
@NullMarked
package dev.computeagent.agent.heartbeat;

import org.jspecify.annotations.NullMarked;

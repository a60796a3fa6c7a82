/**
 * The periodic host.status event. Nothing here is null unless documented as such; inputs are validated at the edges.
 */
@NullMarked
package dev.computeagent.agent.heartbeat;

import org.jspecify.annotations.NullMarked;

/**
 * One handler per command, registered by type and checked at start-up. Nothing here is null unless documented as such; inputs are validated at the edges.
 */
@NullMarked
package dev.computeagent.agent.handler;

import org.jspecify.annotations.NullMarked;

/**
 * The AMQP side of the agent (DESIGN.md §3): topology, the command listener with manual acknowledgement, confirmed event publishing, and the intake lifecycle. Nothing here is null unless documented as such; inputs are validated at the edges.
 */
@NullMarked
package dev.computeagent.agent.amqp;

import org.jspecify.annotations.NullMarked;

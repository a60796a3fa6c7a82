/**
 * Start-up reconciliation with libvirt (DESIGN.md §7). Nothing here is null unless documented as such; inputs are validated at the edges.
 */
@NullMarked
package dev.computeagent.agent.recovery;

import org.jspecify.annotations.NullMarked;

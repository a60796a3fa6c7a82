/**
 * Start-up reconciliation with libvirt (docs/architecture.md, "Where state lives"). Nothing here is null unless annotated {@code @Nullable}; inputs are validated at the edges.
 */
@NullMarked
package dev.computeagent.agent.recovery;

import org.jspecify.annotations.NullMarked;

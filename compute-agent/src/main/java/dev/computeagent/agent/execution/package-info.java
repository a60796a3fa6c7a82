/**
 * Per-instance lanes, the at-least-once command executor, and the single mapping of failures to §3 error codes. Nothing here is null unless documented as such; inputs are validated at the edges.
 */
@NullMarked
package dev.computeagent.agent.execution;

import org.jspecify.annotations.NullMarked;

/**
 * The durable record of completed requests that makes redelivery idempotent. Nothing here is null unless annotated {@code @Nullable}; inputs are validated at the edges.
 */
@NullMarked
package dev.computeagent.agent.journal;

import org.jspecify.annotations.NullMarked;

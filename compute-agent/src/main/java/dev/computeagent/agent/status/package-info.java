/**
 * The host's status (DESIGN.md §5 {@code GET /v1/status}, §3 {@code host.status}): what the driver,
 * the image cache, the instance directory and the broker connection say right now. Nothing here
 * is null unless marked {@code @Nullable}: the hypervisor's type, version and virt type are null
 * until the hypervisor was reached once.
 */
@NullMarked
package dev.computeagent.agent.status;

import org.jspecify.annotations.NullMarked;

/**
 * The host's status ({@code GET /v1/status} and the {@code host.status} event of the AsyncAPI contract; docs/architecture.md, "Contracts"): what the driver,
 * the image cache, the instance directory and the broker connection say right now. Nothing here
 * is null unless marked {@code @Nullable}: the hypervisor's type, version and virt type are null
 * until the hypervisor was reached once.
 */
@NullMarked
package dev.computeagent.agent.status;

import org.jspecify.annotations.NullMarked;

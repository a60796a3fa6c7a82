/**
 * What the agent knows of its instances and where it keeps it: the hypervisor's own record with the
 * agent's {@link dev.computeagent.agent.state.Annotations} (the durable truth), the in-memory views
 * ({@link dev.computeagent.agent.state.InstanceRegistry}, read through
 * {@link dev.computeagent.agent.state.InstanceViews}), {@link dev.computeagent.agent.state.InstanceStore},
 * which writes both together, and the instance directory on disk
 * ({@link dev.computeagent.agent.state.InstanceFiles}). Nothing here is null unless annotated
 * {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.state;

import org.jspecify.annotations.NullMarked;

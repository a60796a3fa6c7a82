/**
 * The per-host compute agent ({@link dev.computeagent.agent.ComputeAgentApplication}); its layers and
 * what each package holds are described in {@code docs/architecture.md}. Nothing here is null unless
 * annotated {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent;

import org.jspecify.annotations.NullMarked;

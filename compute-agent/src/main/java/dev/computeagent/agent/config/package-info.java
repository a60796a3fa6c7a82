/**
 * The agent's configuration ({@link dev.computeagent.agent.config.AgentProperties}, {@code agent.*}) and
 * its wiring: the Spring configurations that build every collaborator, the only place that knows them
 * all. Nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.config;

import org.jspecify.annotations.NullMarked;

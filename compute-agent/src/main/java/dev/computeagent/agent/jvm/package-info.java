/**
 * The JVM the agent runs in: the memory settings it applies to itself at start-up
 * ({@link dev.computeagent.agent.jvm.JvmMemoryDefaults}). Nothing here is null unless documented as such.
 */
@NullMarked
package dev.computeagent.agent.jvm;

import org.jspecify.annotations.NullMarked;

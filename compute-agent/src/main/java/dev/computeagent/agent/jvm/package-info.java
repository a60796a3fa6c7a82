/**
 * The JVM the agent runs in: a second JVM with the recommended options for a plain {@code java -jar}
 * launch ({@link dev.computeagent.agent.jvm.JvmRelaunch}) and the memory settings a JVM without them
 * applies to itself at start-up ({@link dev.computeagent.agent.jvm.JvmMemoryDefaults}). Nothing here is null unless documented as such.
 */
@NullMarked
package dev.computeagent.agent.jvm;

import org.jspecify.annotations.NullMarked;

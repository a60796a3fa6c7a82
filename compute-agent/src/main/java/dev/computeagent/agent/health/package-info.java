/**
 * Actuator health contributors of the agent: {@code libvirt} (the driver's connection), part of the
 * {@code readiness} group with Spring's {@code rabbit}; {@code liveness} is the process alone.
 */
@NullMarked
package dev.computeagent.agent.health;

import org.jspecify.annotations.NullMarked;

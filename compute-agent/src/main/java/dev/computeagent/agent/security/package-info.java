/**
 * Trust at the agent's edges: the keys agents of one cloud share ({@link
 * dev.computeagent.agent.security.KeyRing}), the signature of agent-to-agent commands ({@link
 * dev.computeagent.agent.security.InternalSignature}) and the gate that admits {@code migration.*} only
 * when it came through {@code compute.internal} signed by another agent ({@link
 * dev.computeagent.agent.security.InternalCommandGate}). Nothing here is null unless documented as
 * such.
 */
@NullMarked
package dev.computeagent.agent.security;

import org.jspecify.annotations.NullMarked;

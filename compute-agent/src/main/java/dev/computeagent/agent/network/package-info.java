/**
 * The host's networks from the agent's configuration ({@code agent.networks.*}): the Linux bridges and VLAN
 * sub-interfaces of bridge networks ({@link dev.computeagent.agent.network.LinuxBridges}, through {@code ip}),
 * and the networks themselves through the driver's {@link dev.computeagent.virt.network.NetworkDriver}, ensured
 * at start-up by {@link dev.computeagent.agent.network.HostNetworks}.
 *
 * <p>Nothing in this package may be null unless a method or record component says so.
 */
@NullMarked
package dev.computeagent.agent.network;

import org.jspecify.annotations.NullMarked;

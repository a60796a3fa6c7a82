/**
 * The host's networks: what a {@link dev.computeagent.virt.network.NetworkDriver} ensures from the agent's
 * configuration (a NAT network with DHCP, an isolated network, a network over a host bridge) and what it
 * reports of them. Kept apart from {@link dev.computeagent.virt.ComputeDriver}: networks belong to the host,
 * not to one instance.
 *
 * <p>Nothing in this package may be null unless a method or record component says so.
 */
@NullMarked
package dev.computeagent.virt.network;

import org.jspecify.annotations.NullMarked;

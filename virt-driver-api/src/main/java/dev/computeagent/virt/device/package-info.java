/**
 * Devices added to and removed from an existing instance: volumes and network interfaces, live
 * (hot plug) on a running instance and persistently in its definition.
 *
 * <p>Kept apart from {@link dev.computeagent.virt.ComputeDriver} so that the instance contract stays
 * small. Credentials travel as {@link dev.computeagent.virt.device.SecretValue}, whose text form never
 * shows them. Nothing in this package may be null unless a method or record component says so.
 */
@NullMarked
package dev.computeagent.virt.device;

import org.jspecify.annotations.NullMarked;

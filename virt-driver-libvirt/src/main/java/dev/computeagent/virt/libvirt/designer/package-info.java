/**
 * Policy: how an {@link dev.computeagent.virt.InstanceSpec} becomes a
 * {@link dev.computeagent.virt.libvirt.domain.Domain}. {@link dev.computeagent.virt.libvirt.designer.DomainDesigner}
 * runs one small configurator per concern (identity, metadata, memory, CPU, platform, lifecycle,
 * disks, NICs, console, graphics, helper devices); host-wide choices come in through
 * {@link dev.computeagent.virt.libvirt.designer.DesignerOptions}.
 *
 * <p>Nothing in this package is null. A spec the host cannot honour is an
 * {@link dev.computeagent.virt.InvalidSpecException}.
 */
@NullMarked
package dev.computeagent.virt.libvirt.designer;

import org.jspecify.annotations.NullMarked;

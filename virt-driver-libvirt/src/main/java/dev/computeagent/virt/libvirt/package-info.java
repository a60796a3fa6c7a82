/**
 * The libvirt {@link dev.computeagent.virt.ComputeDriver}: {@link dev.computeagent.virt.libvirt.LibvirtComputeDriver}
 * (created with {@link dev.computeagent.virt.libvirt.LibvirtComputeDriver#connect}), the connection
 * manager with keepalive and reconnect, lifecycle-event dispatch, and the power/spawn policies.
 * Native libvirt access lives only in the {@code binding} sub-package; the domain XML in
 * {@code domain} (model) and {@code designer} (policy).
 *
 * <p>Nothing here may be null unless documented.
 */
@NullMarked
package dev.computeagent.virt.libvirt;

import org.jspecify.annotations.NullMarked;

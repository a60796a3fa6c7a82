/**
 * The only package that touches JNA and libvirt-java. Everything it hands out is our own type
 * ({@link dev.computeagent.virt.libvirt.binding.LibvirtConnection},
 * {@link dev.computeagent.virt.libvirt.binding.DomainHandle}, records); every libvirt error leaves
 * it translated by {@link dev.computeagent.virt.libvirt.binding.LibvirtErrors} into the driver
 * API's exceptions. Native handles are {@link java.lang.AutoCloseable}: use try-with-resources.
 *
 * <p>Nothing here may be null unless documented.
 */
@NullMarked
package dev.computeagent.virt.libvirt.binding;

import org.jspecify.annotations.NullMarked;

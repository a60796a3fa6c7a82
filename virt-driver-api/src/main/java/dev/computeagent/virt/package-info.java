/**
 * The hypervisor-neutral compute driver contract.
 *
 * <p>Nothing in this package may be null unless a method or record component says so; records
 * validate their components in their compact constructors, so a value that exists is valid.
 */
@NullMarked
package dev.computeagent.virt;

import org.jspecify.annotations.NullMarked;
